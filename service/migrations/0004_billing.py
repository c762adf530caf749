from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from service.models.bundles import BundleStatus
from service.models.ledger import LineKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_audit_hash_chain')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BillingBook',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.OneToOneField('models.Organisation', source_field='provider_id', db_constraint=True, to_field='id', related_name='billing_book', on_delete=OnDelete.RESTRICT)),
                ('invoice_prefix', fields.CharField(default='INV', max_length=16)),
                ('last_invoice_number', fields.IntField(default=0)),
                ('last_closed_month', fields.CharField(null=True, max_length=7)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'billing_book', 'app': 'models', 'pk_attr': 'id', 'table_description': "A writing service's books: the last closed month and the last invoice number (locked while closing)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.ForeignKeyField('models.Organisation', source_field='provider_id', db_constraint=True, to_field='id', related_name='invoices_issued', on_delete=OnDelete.RESTRICT)),
                ('la', fields.ForeignKeyField('models.Organisation', source_field='la_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('month', fields.CharField(max_length=7)),
                ('number', fields.CharField(max_length=32)),
                ('issued_on', fields.DateField()),
                ('line_count', fields.IntField()),
                ('net_pence', fields.BigIntField()),
                ('vat_pence', fields.BigIntField()),
                ('closed_by', fields.ForeignKeyField('models.User', source_field='closed_by_id', null=True, db_constraint=True, to_field='id', related_name='invoices_closed', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invoice', 'app': 'models', 'unique_together': (('provider', 'number'), ('provider', 'la', 'month')), 'pk_attr': 'id', 'table_description': "An LA's invoice for a closed month: its gapless number and the totals frozen at close."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseOrder',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('la', fields.ForeignKeyField('models.Organisation', source_field='la_id', db_constraint=True, to_field='id', related_name='purchase_orders', on_delete=OnDelete.RESTRICT)),
                ('provider', fields.ForeignKeyField('models.Organisation', source_field='provider_id', db_constraint=True, to_field='id', related_name='client_purchase_orders', on_delete=OnDelete.RESTRICT)),
                ('po_number', fields.CharField(max_length=64)),
                ('value_pence', fields.BigIntField()),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='purchase_orders_added', on_delete=OnDelete.RESTRICT)),
                ('warned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'purchase_order', 'app': 'models', 'unique_together': (('la', 'po_number'),), 'pk_attr': 'id', 'table_description': "An LA's purchase order: submissions are committed against it up to its value (net pence)."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='BillableLine',
            name='kind',
            field=fields.CharEnumField(description='INVOICE: invoice\nPAYOUT: payout\nCREDIT: credit', enum_type=LineKind, max_length=16),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='base_pence',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='corrects_line',
            field=fields.ForeignKeyField('models.BillableLine', source_field='corrects_line_id', null=True, db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='event_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='express',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='express_bonus_pence',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='express_pence',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='late_working_days',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='page_band_pence',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='pages',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='purchase_order',
            field=fields.ForeignKeyField('models.PurchaseOrder', source_field='purchase_order_id', null=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='sla_credit_pence',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='BillableLine',
            name='vat_rate_bp',
            field=fields.IntField(default=0),
        ),
        ops.AddIndex(
            model_name='BillableLine',
            index=Index(fields=['provider_id', 'month', 'la_id', 'id']),
        ),
        ops.AddIndex(
            model_name='BillableLine',
            index=Index(fields=['provider_id', 'month', 'kind', 'id']),
        ),
        ops.AlterField(
            model_name='Bundle',
            name='status',
            field=fields.CharEnumField(default=BundleStatus.DRAFT, db_index=True, description='DRAFT: draft\nHELD: held\nSUBMITTED: submitted\nSCREENING: screening\nREJECTED: rejected\nQUEUED: queued\nOFFERED: offered\nALLOCATED: allocated\nDRAFTING: drafting\nAWAITING_LA: awaiting_la\nIN_QA: in_qa\nRETURNED: returned\nDELIVERED: delivered\nAMENDMENT_REQUESTED: amendment_requested\nACCEPTED: accepted\nCLOSED: closed\nCANCELLED: cancelled', enum_type=BundleStatus, max_length=32),
        ),
        ops.AddField(
            model_name='Bundle',
            name='hold_reason',
            field=fields.CharField(null=True, max_length=300),
        ),
        ops.AddField(
            model_name='Bundle',
            name='po_committed_pence',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Bundle',
            name='purchase_order',
            field=fields.ForeignKeyField('models.PurchaseOrder', source_field='purchase_order_id', null=True, db_constraint=True, to_field='id', related_name='bundles', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='LaContract',
            name='rate_card',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        # lines written before the rate card carried only net and VAT: their net was the base price, at the
        # contract's VAT rate (their event date is read as the first of their month)
        ops.RunSQL(
            "UPDATE billable_line SET base_pence = net_pence WHERE base_pence = 0 AND page_band_pence = 0 "
            "AND express_pence = 0 AND sla_credit_pence = 0 AND express_bonus_pence = 0"
        ),
        ops.RunSQL(
            "UPDATE billable_line SET vat_rate_bp = 100 * COALESCE((SELECT c.vat_rate_percent FROM la_contract c "
            "WHERE c.la_id = billable_line.la_id AND c.provider_id = billable_line.provider_id "
            "ORDER BY c.starts_on DESC LIMIT 1), 20) WHERE kind = 'invoice'"
        ),
    ]
