from tortoise import migrations
from tortoise.migrations import operations as ops

# Jobs are named by room now (service/jobs.py): outbox rows not yet published keep working under the new names.
RENAMED = {
    "screen_bundle": "intake.screen_bundle", "screen_document": "intake.screen_document",
    "purge_retention": "intake.purge_retention", "allocation_round": "allocation.round",
    "expire_offers": "offers.expire", "sla_monitor": "sla.monitor", "sweep": "maintenance.sweep",
    "deliver_webhook": "webhooks.deliver", "send_notification": "notifications.send",
}


class Migration(migrations.Migration):
    dependencies = [('models', '0004_billing')]

    initial = False

    operations = [
        ops.RunSQL(f"UPDATE outbox SET actor_name = '{new}' WHERE actor_name = '{old}'")  # noqa: S608
        for old, new in RENAMED.items()
    ]
