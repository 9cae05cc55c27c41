"""The committee's rules: roles, dates, reconstitution, history on a date, scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhdang.committees import queries, services
from binhdang.committees.models import Committee, Decision, Membership, Role
from binhdang.committees.services import MemberSpec

from .conftest import D1, D2, person

pytestmark = pytest.mark.django_db


def current(committee):
    return {
        m.person.full_name: m.role for m in queries.members_on(committee, datetime.date.today())
    }


def specs_from_current(committee, **role_changes):
    """The current list as the reconstitution form starts it, with some roles changed."""
    return [
        MemberSpec(m.person, role_changes.get(m.person.full_name, m.role), m.represented_unit)
        for m in queries.members_on(committee, datetime.date.today())
    ]


def test_constituting_decision_records_members_from_its_date(committee):
    assert current(committee) == {
        "Nguyễn Thị An": Role.HEAD,
        "Trần Văn Bình": Role.STANDING_VICE_CHAIR,
        "Lê Thị Chi": Role.MEMBER,
        "Phạm Văn Dũng": Role.SECRETARY,
    }
    assert queries.members_on(committee, D1 - datetime.timedelta(days=1)) == []
    assert {m.start for m in committee.memberships.all()} == {D1}


def test_diff_lists_joins_leaves_and_role_changes(committee):
    specs = specs_from_current(committee, **{"Lê Thị Chi": Role.VICE_CHAIR})
    specs = [s for s in specs if s.person.full_name != "Phạm Văn Dũng"]
    specs.append(MemberSpec(person("Võ Thị Em"), Role.SECRETARY))
    diff = services.member_diff(committee, specs)
    assert [s.person.full_name for s in diff.joins] == ["Võ Thị Em"]
    assert [m.person.full_name for m in diff.leaves] == ["Phạm Văn Dũng"]
    assert [(m.person.full_name, m.role, s.role) for m, s in diff.role_changes] == [
        ("Lê Thị Chi", Role.MEMBER, Role.VICE_CHAIR)
    ]
    assert {m.person.full_name for m, _ in diff.unchanged} == {"Nguyễn Thị An", "Trần Văn Bình"}
    assert not diff.is_empty


def test_reconstitution_ends_old_memberships_on_the_new_date(committee, personas):
    specs = specs_from_current(committee, **{"Lê Thị Chi": Role.VICE_CHAIR})
    specs = [s for s in specs if s.person.full_name != "Phạm Văn Dũng"]
    specs.append(MemberSpec(person("Võ Thị Em"), Role.SECRETARY))
    decision = services.reconstitute(
        personas["province_admin"], committee, number="45/QĐ-UBND", date=D2, members=specs
    )
    assert set(decision.memberships.values_list("start", flat=True)) == {D2}
    old = Decision.objects.get(number="12/QĐ-UBND")
    assert set(old.memberships.values_list("end", flat=True)) == {D2}
    assert current(committee)["Lê Thị Chi"] == Role.VICE_CHAIR
    assert "Phạm Văn Dũng" not in current(committee)


def test_history_on_any_date_and_under_which_decision(committee, personas):
    specs = [s for s in specs_from_current(committee) if s.person.full_name != "Phạm Văn Dũng"]
    services.reconstitute(
        personas["province_admin"], committee, number="45/QĐ-UBND", date=D2, members=specs
    )
    before = queries.members_on(committee, D2 - datetime.timedelta(days=1))
    after = queries.members_on(committee, D2)
    assert "Phạm Văn Dũng" in [m.person.full_name for m in before]
    assert "Phạm Văn Dũng" not in [m.person.full_name for m in after]
    assert {m.decision.number for m in before} == {"12/QĐ-UBND"}
    assert {m.decision.number for m in after} == {"45/QĐ-UBND"}
    assert queries.decision_on(committee, D2 - datetime.timedelta(days=1)).number == "12/QĐ-UBND"
    assert queries.decision_on(committee, D2).number == "45/QĐ-UBND"
    assert queries.decision_on(committee, D1 - datetime.timedelta(days=1)) is None
    assert [m.role for m in after][:2] == [Role.HEAD, Role.STANDING_VICE_CHAIR]  # role order


def test_two_heads_at_once_are_refused_naming_people_and_dates(committee, personas):
    specs = specs_from_current(committee, **{"Lê Thị Chi": Role.HEAD})
    with pytest.raises(ValidationError) as error:
        services.reconstitute(
            personas["province_admin"], committee, number="45/QĐ-UBND", date=D2, members=specs
        )
    text = " ".join(error.value.messages)
    assert "Nguyễn Thị An" in text and "Lê Thị Chi" in text and "01/06/2024" in text
    assert committee.decisions.count() == 1  # nothing written
    assert Membership.objects.filter(committee=committee, end__isnull=False).count() == 0


def test_two_standing_vice_chairs_are_refused(committee):
    decision = committee.decisions.get()
    with pytest.raises(ValidationError) as error:
        services.add_members(
            committee.unit.users.first() or _admin(committee),
            decision,
            [MemberSpec(person("Đặng Văn Giang", "male"), Role.STANDING_VICE_CHAIR)],
        )
    assert "Trần Văn Bình" in " ".join(error.value.messages)


def _admin(committee):
    from binhdang.accounts.models import Role as UserRole
    from binhdang.conftest import make_user

    return make_user("committee_admin", committee.unit, UserRole.UNIT_ADMIN)


def test_a_person_cannot_hold_two_roles_in_one_committee_at_once(committee):
    decision = committee.decisions.get()
    an = committee.memberships.get(role=Role.HEAD).person
    with pytest.raises(ValidationError) as error:
        services.add_members(_admin(committee), decision, [MemberSpec(an, Role.MEMBER)])
    assert "Nguyễn Thị An" in " ".join(error.value.messages)


def test_the_same_person_may_sit_on_another_committee(committee, personas, tree):
    an = committee.memberships.get(role=Role.HEAD).person
    other = services.create_committee(
        personas["system_admin"], tree["other_province"], name="Ban HN"
    )
    services.reconstitute(
        personas["system_admin"],
        other,
        number="1/QĐ-UBND",
        date=D1,
        members=[MemberSpec(an, Role.MEMBER)],
    )
    assert an.memberships.count() == 2


def test_membership_dates_fall_within_the_decision(committee, personas):
    specs = specs_from_current(committee)
    services.reconstitute(
        personas["province_admin"], committee, number="45/QĐ-UBND", date=D2, members=specs
    )
    old = Decision.objects.get(number="12/QĐ-UBND")
    with pytest.raises(ValidationError) as error:
        services.add_members(
            personas["province_admin"], old, [MemberSpec(person("Hồ Thị Hạnh"), Role.MEMBER)]
        )
    assert "12/QĐ-UBND" in " ".join(error.value.messages)  # open-ended past the next decision
    with pytest.raises(ValidationError):
        services.add_members(
            personas["province_admin"],
            old,
            [MemberSpec(person("Hồ Thị Hạnh"), Role.MEMBER)],
            start=D1 - datetime.timedelta(days=10),
        )


def test_decision_must_follow_the_current_one_and_have_members(committee, personas):
    actor = personas["province_admin"]
    with pytest.raises(ValidationError):
        services.reconstitute(
            actor, committee, number="9/QĐ", date=D1, members=specs_from_current(committee)
        )
    with pytest.raises(ValidationError):
        services.reconstitute(actor, committee, number="9/QĐ", date=D2, members=[])
    # A blank number is allowed since issue 12 (saved, flagged incomplete): test_incomplete_records.
    twice = [MemberSpec(person("Mai"), Role.HEAD), MemberSpec(person("mai"), Role.MEMBER)]
    with pytest.raises(ValidationError) as error:
        services.reconstitute(actor, committee, number="9/QĐ", date=D2, members=twice)
    assert "mai" in " ".join(error.value.messages).lower()


def test_end_membership_between_decisions(committee, personas):
    m = committee.memberships.get(role=Role.SECRETARY)
    services.end_membership(personas["province_admin"], m, datetime.date(2022, 1, 1))
    assert "Phạm Văn Dũng" not in current(committee)
    with pytest.raises(ValidationError):
        services.end_membership(personas["province_admin"], m, D1)


@pytest.mark.parametrize("persona", ["commune_officer", "ministry_officer", "province_viewer"])
def test_scope_a_commune_officer_cannot_edit_the_province_committee(
    committee, personas, tree, persona
):
    with pytest.raises(PermissionDenied):
        services.reconstitute(
            personas[persona],
            committee,
            number="45/QĐ",
            date=D2,
            members=specs_from_current(committee),
        )
    with pytest.raises(PermissionDenied):
        services.create_committee(personas[persona], tree["far_commune"], name="X")


def test_commune_officer_records_own_commune_committee(personas, tree):
    c = services.create_committee(personas["commune_officer"], tree["commune"], name="Ban xã")
    assert c.unit == tree["commune"]
    with pytest.raises(ValidationError):
        services.create_committee(personas["commune_officer"], tree["commune"], name="Ban xã 2")
    with pytest.raises(ValidationError):
        services.update_committee(
            personas["commune_officer"], c, name="Ban xã", standing_unit=tree["province"]
        )


def test_attention_warnings(committee, personas, tree, settings):
    today = datetime.date(2026, 11, 23)
    notes = " ".join(queries.attention(committee, today))
    assert "5" in notes and "12/QĐ-UBND" in notes  # not reconstituted for 5 years; no file
    assert "không có Trưởng ban" not in notes.lower()
    head = committee.memberships.get(role=Role.HEAD)
    services.end_membership(personas["province_admin"], head, datetime.date(2025, 1, 1))
    legacy = tree["legacy_commune"]
    chi = committee.memberships.get(role=Role.MEMBER)
    chi.represented_unit = legacy
    chi.term_end = datetime.date(2026, 1, 1)
    chi.save()
    notes = queries.attention(committee, today)
    assert any("Trưởng ban" in n for n in notes)
    assert any(legacy.name in n and "30/06/2025" in n for n in notes)
    assert any("Lê Thị Chi" in n and "01/01/2026" in n for n in notes)
    settings.COMMITTEE_RECONSTITUTE_YEARS = 10
    assert not any("10" in n and "năm" in n for n in queries.attention(committee, today))


def test_two_heads_in_old_data_are_flagged(committee):
    decision = committee.decisions.get()
    chi = committee.memberships.get(role=Role.MEMBER)
    Membership.objects.filter(pk=chi.pk).update(role=Role.HEAD)  # as an old import might have it
    notes = queries.attention(committee, datetime.date(2022, 1, 1))
    assert any("Nguyễn Thị An" in n and "Lê Thị Chi" in n for n in notes)
    assert decision


def test_coverage_counts_units_members_and_women(committee, tree):
    units = tree["province"].children.live().filter(level=4) | type(
        tree["province"]
    ).objects.filter(pk=tree["province"].pk)
    cov = queries.coverage(units, datetime.date(2022, 1, 1))
    row = next(r for r in cov.rows if r.unit == tree["province"])
    assert (row.members, row.women, row.head_name) == (4, 2, "Nguyễn Thị An")
    assert cov.with_committee == 1 and len(cov.rows) == units.count()
    assert (cov.heads, cov.women_heads) == (1, 1)
    assert Committee.objects.count() == 1


def test_names_differing_only_in_diacritics_are_different_people(committee, personas):
    specs = specs_from_current(committee) + [
        MemberSpec(person("Lê Thị Hà"), Role.MEMBER),
        MemberSpec(person("Lê Thị Hạ"), Role.MEMBER),
    ]
    services.reconstitute(
        personas["province_admin"], committee, number="45/QĐ-UBND", date=D2, members=specs
    )
    assert {"Lê Thị Hà", "Lê Thị Hạ"} <= set(current(committee))
