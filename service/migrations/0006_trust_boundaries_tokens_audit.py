from tortoise import migrations
from tortoise.migrations import operations as ops
from service.models.people import OrganisationKind, Role
from tortoise.fields.base import OnDelete
from tortoise import fields

# Trust boundaries (issue 21): token expiry and scopes, break-glass tokens, the operator, the LAs' own audit chains,
# security notices without a timeline event. Entries written before it carry no LA hash ("before the LA's chain")
# but are filed under their LA, so an LA's export still holds them.
BACKFILL_LA = [
    "UPDATE audit_entry SET la_id = (SELECT bundle.la_id FROM bundle WHERE bundle.id = audit_entry.bundle_id) "
    "WHERE bundle_id IS NOT NULL",
    "UPDATE audit_entry SET la_id = organisation_id WHERE la_id IS NULL "
    "AND organisation_id IN (SELECT id FROM organisation WHERE kind = 'la')",
]


class Migration(migrations.Migration):
    dependencies = [('models', '0005_jobs_by_name')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ApiToken',
            name='break_glass',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='issued_by_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='la_scope_id',
            field=fields.UUIDField(null=True),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='read_only',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='la_actor',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='la_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='la_id',
            field=fields.UUIDField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='la_prev_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Organisation',
            name='kind',
            field=fields.CharEnumField(description='LA: la\nPROVIDER: provider\nOPERATOR: operator', enum_type=OrganisationKind, max_length=16),
        ),
        ops.AddField(
            model_name='Organisation',
            name='token_default_days',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Organisation',
            name='token_max_days',
            field=fields.IntField(null=True),
        ),
        ops.AlterField(
            model_name='User',
            name='role',
            field=fields.CharEnumField(description='LA_OFFICER: la_officer\nLA_ADMIN: la_admin\nCOORDINATOR: coordinator\nWRITER: writer\nQA_REVIEWER: qa_reviewer\nFINANCE: finance\nADMIN: admin\nOPERATOR: operator', enum_type=Role, max_length=16),
        ),
        ops.AlterField(
            model_name='WebhookDelivery',
            name='event',
            field=fields.ForeignKeyField('models.Event', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name='webhook_deliveries', on_delete=OnDelete.CASCADE),
        ),
        *[ops.RunSQL(sql) for sql in BACKFILL_LA],
    ]
