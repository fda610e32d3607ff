"""Row factories for the accounts domain."""

from __future__ import annotations

import factory

from tierdesk.accounts.choices import Level, Role
from tierdesk.accounts.models import AgentProfile, Contact, ContactPhone, Organisation, User

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    country = "NL"
    language = "en"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.CUSTOMER
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class AgentFactory(UserFactory):
    role = Role.AGENT

    @factory.post_generation
    def profile(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            level = str(kwargs.get("level", Level.FIRST))
            AgentProfile.objects.get_or_create(user=obj, defaults={"level": level})


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    language = "en"


class ContactPhoneFactory(factory.django.DjangoModelFactory[ContactPhone]):
    class Meta:
        model = ContactPhone

    contact = factory.SubFactory(ContactFactory)
    number = factory.Sequence(lambda n: f"+3120{n:07d}")


def customer_user(contact: Contact, *, admin: bool = False, username: str | None = None) -> User:
    """A portal login for `contact` (customer admin when `admin`)."""
    user = UserFactory.create(
        username=username or f"cust-{contact.pk}",
        role=Role.CUSTOMER_ADMIN if admin else Role.CUSTOMER,
        language=contact.language,
    )
    contact.user = user
    contact.save(update_fields=["user"])
    return user
