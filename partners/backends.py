"""The authentication backend: Django's ModelBackend, reading a signed-in user's buyer profile with them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ModelBackendWithBuyer(ModelBackend):
    """Every page a buyer opens needs their organisation, read afresh so that a suspension bites at once
    (partners.access). Loading it with the user makes that one query per request instead of two."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("buyer__organisation")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
