import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Billing terms fixed per bundle at commit, the month a provider's books start, and closed purchase orders."""

    dependencies = [('models', '0010_people_sign_in_sessions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Bundle',
            name='rate_terms',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='BillingBook',
            name='starts_month',
            field=fields.CharField(null=True, max_length=7),
        ),
        ops.AddField(
            model_name='PurchaseOrder',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
