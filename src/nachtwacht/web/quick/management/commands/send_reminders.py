"""Send the reminders that are due now; run it from a timer every 5 minutes."""

from django.core.management.base import BaseCommand

from nachtwacht.web.quick.reminders import send_due


class Command(BaseCommand):
    help = "Send the morning/evening reminders that are due (run every 5 minutes from a timer)."

    def handle(self, *args, **options):
        counts = send_due()
        self.stdout.write(f"reminders sent: {counts['email']} e-mail, {counts['push']} push")
