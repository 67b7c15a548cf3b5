from django.db import migrations


def create_roles(apps, schema_editor):
    from posts.roles import roles_sync

    roles_sync(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Moderators", "Publishers"]).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="posts", codename__in=["approve_post", "publish_post"]
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
