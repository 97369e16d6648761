from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("quick", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderSetting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("morning_on", models.BooleanField(default=False)),
                ("morning_time", models.TimeField(default="08:00")),
                ("evening_on", models.BooleanField(default=False)),
                ("evening_time", models.TimeField(default="21:30")),
                ("timezone", models.CharField(default="Europe/Amsterdam", max_length=64)),
                ("by_email", models.BooleanField(default=True)),
                ("by_push", models.BooleanField(default=False)),
                ("quiet_days", models.CharField(blank=True, default="", max_length=7)),
                ("morning_sent", models.DateField(blank=True, null=True)),
                ("evening_sent", models.DateField(blank=True, null=True)),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="reminders", to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name="PushSubscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("endpoint", models.URLField(max_length=1000, unique=True)),
                ("p256dh", models.CharField(max_length=200)),
                ("auth", models.CharField(max_length=100)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="push_subscriptions", to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
