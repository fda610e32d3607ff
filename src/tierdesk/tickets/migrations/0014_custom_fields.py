# Custom fields (issue 4, point 7): definitions per organisation or category and their typed
# values on tickets, one index per value column for filters. Operations generated with
# `makemigrations --dry-run -v 3`.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0013_merge"),
        ("accounts", "0002_organisation_case_manager"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomField',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(help_text='Lower-case letters, digits and _; used in the API, filters (cf_<key>) and exports.', max_length=40, unique=True, verbose_name='key')),
                ('label', models.CharField(max_length=100, verbose_name='label')),
                ('field_type', models.CharField(choices=[('text', 'Text'), ('number', 'Number'), ('date', 'Date'), ('choice', 'Choice'), ('multi_choice', 'Multiple choice'), ('user', 'Staff member')], max_length=20, verbose_name='type')),
                ('help_text', models.CharField(blank=True, max_length=300, verbose_name='help text')),
                ('choices', models.JSONField(blank=True, default=list, verbose_name='choices')),
                ('required', models.BooleanField(default=False, verbose_name='always required')),
                ('required_when', models.JSONField(blank=True, null=True, verbose_name='required when')),
                ('visible_when', models.JSONField(blank=True, null=True, verbose_name='visible when')),
                ('visible_to_customer', models.BooleanField(default=False, help_text="Shown on the portal's form and tickets.", verbose_name='customers see and fill it')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='custom_fields', to='tickets.category', verbose_name='category')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='custom_fields', to='accounts.organisation', verbose_name='organisation')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CustomFieldValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ordinal', models.PositiveSmallIntegerField(default=0)),
                ('value_text', models.CharField(blank=True, max_length=500)),
                ('value_number', models.DecimalField(blank=True, decimal_places=6, max_digits=20, null=True)),
                ('value_date', models.DateField(blank=True, null=True)),
                ('field', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='values', to='tickets.customfield')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='custom_field_values', to='tickets.ticket')),
                ('value_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['field_id', 'ordinal'],
            },
        ),
        migrations.AddConstraint(
            model_name='customfield',
            constraint=models.CheckConstraint(condition=models.Q(('required', True), ('required_when__isnull', False), _negated=True), name='custom_field_required_or_required_when'),
        ),
        migrations.AddIndex(
            model_name='customfieldvalue',
            index=models.Index(fields=['field', 'value_text'], name='cf_value_text_idx'),
        ),
        migrations.AddIndex(
            model_name='customfieldvalue',
            index=models.Index(fields=['field', 'value_number'], name='cf_value_number_idx'),
        ),
        migrations.AddIndex(
            model_name='customfieldvalue',
            index=models.Index(fields=['field', 'value_date'], name='cf_value_date_idx'),
        ),
        migrations.AddIndex(
            model_name='customfieldvalue',
            index=models.Index(fields=['field', 'value_user'], name='cf_value_user_idx'),
        ),
        migrations.AddConstraint(
            model_name='customfieldvalue',
            constraint=models.UniqueConstraint(fields=('ticket', 'field', 'ordinal'), name='custom_field_value_unique'),
        ),
    ]
