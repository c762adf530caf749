from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from service.models.people import InvitationStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_organisations_contract_versions_writer_lifecycle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdentityProvider',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organisation', fields.OneToOneField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='identity_provider', on_delete=OnDelete.CASCADE)),
                ('issuer', fields.CharField(max_length=500)),
                ('client_id', fields.CharField(max_length=255)),
                ('client_secret_sealed', fields.TextField(null=True, unique=False)),
                ('role_claim', fields.CharField(default='groups', max_length=100)),
                ('role_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'identity_provider', 'app': 'models', 'pk_attr': 'id', 'table_description': "An organisation's own OpenID Connect issuer (its Entra ID or Google Workspace tenant), set by its admin."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invited_by_id', fields.UUIDField(null=True)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed\nSKIPPED: skipped', enum_type=InvitationStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('error', fields.CharField(null=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'models', 'pk_attr': 'id', 'table_description': "An admin's invitation of a person by email: accepted by signing in through the organisation's issuer."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignIn',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='sign_ins', on_delete=OnDelete.CASCADE)),
                ('state_hash', fields.CharField(unique=True, max_length=64)),
                ('nonce', fields.CharField(max_length=100)),
                ('code_verifier', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sign_in', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One sign-in in flight: the state (stored hashed), nonce and PKCE verifier the callback checks, used once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'user_session', 'app': 'models', 'pk_attr': 'id', 'table_description': "A signed-in person's session: the cookie's SHA-256, its CSRF token, idle and absolute expiry, revocable."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='deactivated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='joined_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='subject',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
