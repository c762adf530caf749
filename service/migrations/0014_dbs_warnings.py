from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# A coordinator's notice about a writer (the DBS certificate runs out within 30 days, issue 22): no event, no bundle.
class Migration(migrations.Migration):
    dependencies = [('models', '0013_billing_invoice_parties')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Notification',
            options={'table': 'notification', 'app': 'models', 'unique_together': (('event', 'user', 'kind'),), 'pk_attr': 'id', 'table_description': 'A notice to one user, about a timeline event or about a writer: shown in the app, emailed when possible.'},
        ),
        ops.AlterField(
            model_name='Notification',
            name='bundle',
            field=fields.ForeignKeyField('models.Bundle', source_field='bundle_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name='Notification',
            name='event',
            field=fields.ForeignKeyField('models.Event', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Notification',
            name='writer',
            field=fields.ForeignKeyField('models.Writer', source_field='writer_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE),
        ),
    ]
