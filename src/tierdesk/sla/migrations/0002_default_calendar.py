"""The default calendar every installation starts with: Dutch office hours, Monday to Friday
08:00-16:00 in Europe/Amsterdam, closed on the public holidays of the Netherlands."""

import datetime

from django.db import migrations

NAME = "Office hours NL"


def create_default_calendar(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    OpeningHours = apps.get_model("sla", "OpeningHours")
    if BusinessCalendar.objects.filter(name=NAME).exists():
        return
    has_default = BusinessCalendar.objects.filter(is_default=True).exists()
    calendar = BusinessCalendar.objects.create(
        name=NAME, time_zone="Europe/Amsterdam", country="NL", subdivision="", is_default=not has_default
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(calendar=calendar, weekday=weekday, opens=datetime.time(8, 0), closes=datetime.time(16, 0))
        for weekday in range(5)
    )


def delete_default_calendar(apps, schema_editor):
    apps.get_model("sla", "BusinessCalendar").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_default_calendar, delete_default_calendar)]
