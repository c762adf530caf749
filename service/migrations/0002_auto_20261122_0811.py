from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Bundle',
            name='deny_list',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Document',
            name='clean_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Document',
            name='clean_sha256',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Document',
            name='clean_size',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Document',
            name='findings',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Draft',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='LaContract',
            name='retention_days',
            field=fields.IntField(default=90),
        ),
        ops.AddField(
            model_name='LaContract',
            name='screening_policy',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
