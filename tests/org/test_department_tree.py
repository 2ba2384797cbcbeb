"""Who is in a department's tree: a selector, so the models import no selector."""

import pytest

from lms.org.models import Employee
from lms.org.selectors import employees_in_department_tree
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    market = DepartmentFactory(name="市场拓展部", code="market")
    east = DepartmentFactory(name="华东区", code="east", parent=market)
    shanghai = DepartmentFactory(name="上海组", code="shanghai", parent=east)
    legal = DepartmentFactory(name="法务部", code="legal")
    people = {
        "head": EmployeeFactory(department=market),
        "east": EmployeeFactory(department=east),
        "shanghai": EmployeeFactory(department=shanghai),
        "gone": EmployeeFactory(department=shanghai, status=Employee.Status.LEFT),
        "lawyer": EmployeeFactory(department=legal),
    }
    # Departments and people under different keys: "east" is the person, whose primary key
    # matched the department's only on a fresh SQLite database.
    return {"market": market, "east_department": east, "legal": legal, **people}


def test_a_department_holds_everyone_below_it_in_two_queries(tree, django_assert_num_queries):
    # One query loads the whole (small) department tree, one reads the people: however
    # deep the tree and however many people, the count stays two.
    with django_assert_num_queries(2):
        found = set(employees_in_department_tree(tree["market"]))
    assert found == {tree["head"], tree["east"], tree["shanghai"], tree["gone"]}
    assert set(employees_in_department_tree(tree["east_department"])) == {
        tree["east"],
        tree["shanghai"],
        tree["gone"],
    }
    assert set(employees_in_department_tree(tree["legal"])) == {tree["lawyer"]}


def test_the_tree_narrows_a_given_list_of_people(tree):
    found = employees_in_department_tree(tree["market"], people=Employee.objects.active())
    assert set(found) == {tree["head"], tree["east"], tree["shanghai"]}
