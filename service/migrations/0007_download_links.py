from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_trust_boundaries_tokens_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DownloadLink',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('draft', fields.ForeignKeyField('models.Draft', source_field='draft_id', db_constraint=True, to_field='id', related_name='download_links', on_delete=OnDelete.CASCADE)),
                ('made_by', fields.ForeignKeyField('models.User', source_field='made_by_id', db_constraint=True, to_field='id', related_name='download_links', on_delete=OnDelete.CASCADE)),
                ('token', fields.ForeignKeyField('models.ApiToken', source_field='token_id', null=True, db_constraint=True, to_field='id', related_name='download_links', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_from', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'download_link', 'app': 'models', 'pk_attr': 'id', 'table_description': "A five-minute link to a delivered draft: used once, and only while its maker's access lasts (their user"},
            bases=['Model'],
        ),
    ]
