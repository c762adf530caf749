from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """An LA's billing contact email (Xero's EmailAddress on its invoices and credit notes) and its Sage 50 account
    reference (none: the default made from its id, as before)."""

    dependencies = [('models', '0014_dbs_warnings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='billing_email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='Organisation',
            name='sage_account_reference',
            field=fields.CharField(null=True, max_length=8),
        ),
    ]
