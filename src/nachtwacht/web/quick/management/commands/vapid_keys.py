"""Print a new VAPID key pair for Web Push, as the environment lines the settings read."""

import base64

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid01


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Command(BaseCommand):
    help = "Print a new VAPID key pair (keep the private key secret; changing it ends all subscriptions)."

    def handle(self, *args, **options):
        v = Vapid01()
        v.generate_keys()
        private = _b64(v.private_key.private_numbers().private_value.to_bytes(32, "big"))
        public = _b64(v.public_key.public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint))
        self.stdout.write(f"NACHTWACHT_VAPID_PRIVATE_KEY={private}\nNACHTWACHT_VAPID_PUBLIC_KEY={public}")
