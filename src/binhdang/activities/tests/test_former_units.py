"""Activities of a former unit: an old province's department organised a 2021 training
(issue 12)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from binhdang.accounts.models import Role
from binhdang.activities import services
from binhdang.activities.forms import ActivityForm
from binhdang.conftest import make_user
from binhdang.orgunits import services as orgunit_services

from .conftest import activity_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_labour_department(personas, tree):
    (department,) = orgunit_services.add_departments(
        personas["system_admin"],
        tree["legacy_province"],
        ["Sở Lao động - Thương binh và Xã hội"],
        valid_from=datetime.date(2008, 1, 1),
    )
    return department


def test_a_2021_training_of_an_old_province_department(personas, old_labour_department):
    # The merged province's officer records what its predecessor's department did.
    activity = services.create_activity(
        personas["province_admin"],
        activity_data(old_labour_department, start_date=datetime.date(2021, 10, 5)),
    )
    assert activity.organiser == old_labour_department


def test_an_activity_dated_after_the_department_ended_is_refused(personas, old_labour_department):
    with pytest.raises(ValidationError) as error:
        services.create_activity(
            personas["province_admin"],
            activity_data(old_labour_department, start_date=datetime.date(2025, 9, 10)),
        )
    message = " ".join(error.value.message_dict["organiser"])
    assert "30/06/2025" in message and "10/09/2025" in message


def test_the_organiser_picker_offers_the_former_department_by_its_label(
    personas, tree, old_labour_department
):
    officer = make_user("qn_officer", tree["province"], Role.DATA_OFFICER)
    labels = {
        pk: str(label) for pk, label in ActivityForm(user=officer).fields["organiser"].choices
    }
    label = next(text for pk, text in labels.items() if str(pk) == str(old_labour_department.pk))
    assert label == (
        "Sở Lao động - Thương binh và Xã hội (đến 30/06/2025) — Tỉnh Quảng Ngãi (đến 30/06/2025)"
    )
    # Former communes are not offered: there are thousands.
    assert str(tree["legacy_commune"].pk) not in {str(pk) for pk in labels}
