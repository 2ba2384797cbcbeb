import datetime as dt

import factory
import faker
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lms.org.models import Cohort, Department, Employee, Level, Position, RosterImport

_CHINESE = faker.Faker("zh_CN")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    name = factory.Sequence(lambda n: f"岗位{n}")
    department = factory.SubFactory(DepartmentFactory)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n}")
    rank = factory.Sequence(lambda n: n)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"2026-{n:02d} 校招")
    start_date = dt.date(2026, 12, 1)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..employee_no"))
    employee_no = factory.Sequence(lambda n: f"T{n:05d}")
    # A real-looking name made unique by its number: Faker's common names (张伟, 赵敏 …)
    # once matched the names tests write out, and made "nobody named X" checks flaky.
    name = factory.LazyAttributeSequence(lambda o, n: f"{_CHINESE.name()}{n}")
    department = factory.SubFactory(DepartmentFactory)
    start_date = dt.date(2026, 12, 1)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.user.groups.set(Group.objects.filter(name__in=extracted))


class RosterImportFactory(factory.django.DjangoModelFactory):
    """A stored admin roster import; by default a previewed, valid one-person file."""

    class Meta:
        model = RosterImport

    file = factory.django.FileField(
        filename="roster.csv",
        data="工号,姓名,部门,入职日期\nR0001,测试,部门0,2026-12-01\n".encode(),
    )
    original_filename = "roster.csv"
    uploaded_by = factory.SubFactory(UserFactory)
    language = "en"
    status = RosterImport.Status.READY
    counts = factory.LazyFunction(
        lambda: {"create": 1, "update": 0, "unchanged": 0, "reject": 0, "total": 1}
    )
    report = factory.LazyAttribute(
        lambda o: {
            "valid": True,
            "file_error": "",
            "counts": o.counts,
            "ignored_headers": [],
            "to_create": {},
            "problems": [],
            "changes": [],
        }
    )


def form_data_from(html: str, form_id: str = "w-editor-form") -> dict[str, object]:
    """What the browser would send for the admin's edit form, as rendered."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=form_id) or soup.find("form", attrs={"method": "post"})
    data: dict[str, object] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "select":
            chosen = [o.get("value") for o in field.find_all("option") if o.has_attr("selected")]
            data[name] = chosen if field.has_attr("multiple") else (chosen[0] if chosen else "")
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, [])
                data[name].append(field.get("value", "on"))  # type: ignore[union-attr]
        elif field.name == "textarea":
            data[name] = field.text
        else:
            data[name] = field.get("value", "")
    return data
