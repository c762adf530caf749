import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """The parties on a full VAT invoice (address, postcode, VAT number, payment terms on an organisation) and credit
    notes as documents of their own, numbered in their own gapless series per writing service; a manual invoice line
    (finance's, for an LA) has no bundle."""

    dependencies = [('models', '0012_draft_qa_provision')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='address_lines',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')),
                                   decoder=loads),
        ),
        ops.AddField(
            model_name='Organisation',
            name='postcode',
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddField(
            model_name='Organisation',
            name='vat_number',
            field=fields.CharField(null=True, max_length=14),
        ),
        ops.AddField(
            model_name='Organisation',
            name='payment_terms_days',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='BillingBook',
            name='credit_note_prefix',
            field=fields.CharField(default='CN', max_length=16),
        ),
        ops.AddField(
            model_name='BillingBook',
            name='last_credit_note_number',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Invoice',
            name='parties',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AlterField(
            model_name='BillableLine',
            name='bundle',
            field=fields.ForeignKeyField('models.Bundle', source_field='bundle_id', null=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.RESTRICT),
        ),
        ops.CreateModel(
            name='CreditNote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.ForeignKeyField('models.Organisation', source_field='provider_id', db_constraint=True, to_field='id', related_name='credit_notes_issued', on_delete=OnDelete.RESTRICT)),
                ('la', fields.ForeignKeyField('models.Organisation', source_field='la_id', db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(max_length=32)),
                ('issued_on', fields.DateField()),
                ('reason', fields.CharField(max_length=200)),
                ('line', fields.OneToOneField('models.BillableLine', source_field='line_id', db_constraint=True, to_field='id', related_name='credit_note', on_delete=OnDelete.RESTRICT)),
                ('corrects_line', fields.ForeignKeyField('models.BillableLine', source_field='corrects_line_id', db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.RESTRICT)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='credit_notes_issued', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('parties', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'credit_note', 'app': 'models', 'unique_together': (('provider', 'number'),), 'pk_attr': 'id', 'table_description': 'A credit note: a document of its own, numbered as it is issued, naming the invoice line it corrects.'},
            bases=['Model'],
        ),
    ]
