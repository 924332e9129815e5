"""Reads of the outputs of completed activities (network.output_actions), for an activity that came through
network.access. Library items are read through library.access: a reader sees the items they may read and
nothing of the others (no title, no count)."""

from dataclasses import dataclass, field

from accounts import places
from library import access as library_access
from library.models import Item
from network.models import Activity, Lessons, Trained


@dataclass
class TrainedShown:
    country: str
    name: str
    women: int
    men: int
    not_reported: int

    @property
    def total(self) -> int:
        return self.women + self.men + self.not_reported


@dataclass
class Outputs:
    items: list[Item] = field(default_factory=list)
    trained: list[TrainedShown] = field(default_factory=list)
    lessons: Lessons | None = None

    @property
    def women(self) -> int:
        return sum(row.women for row in self.trained)

    @property
    def men(self) -> int:
        return sum(row.men for row in self.trained)

    @property
    def not_reported(self) -> int:
        return sum(row.not_reported for row in self.trained)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.trained)

    def __bool__(self) -> bool:
        return bool(self.items or self.trained or (self.lessons and self.lessons.text))


def _shown(rows) -> list[TrainedShown]:
    return [
        TrainedShown(country=row.country, name=places.country_name(row.country), women=row.women, men=row.men,
                     not_reported=row.not_reported)
        for row in rows
    ]  # fmt: skip


def readable_items(person, activity: Activity) -> list[Item]:
    """The activity's library items that ``person`` may read, in the order they were linked."""
    readable = library_access.items_visible_to(person)
    ids = list(activity.outputs.filter(item__in=readable).order_by("pk").values_list("item_id", flat=True))
    items = Item.objects.in_bulk(ids)
    return [items[pk] for pk in ids if pk in items]


def outputs_of(person, activity: Activity) -> Outputs:
    """What the activity produced, as ``person`` may see it."""
    return Outputs(
        items=readable_items(person, activity),
        trained=_shown(activity.trained.order_by("country")),
        lessons=Lessons.objects.filter(activity=activity).first(),
    )


def outputs_by_activity(person, activities: list[Activity]) -> dict[int, Outputs]:
    """Outputs of many activities at once (the repository's page), in three queries."""
    from network.models import Output

    ids = [activity.pk for activity in activities]
    found: dict[int, Outputs] = {pk: Outputs() for pk in ids}
    readable = library_access.items_visible_to(person)
    links = Output.objects.filter(activity_id__in=ids, item__in=readable).select_related("item").order_by("pk")
    for link in links:
        found[link.activity_id].items.append(link.item)
    rows: dict[int, list[Trained]] = {}
    for row in Trained.objects.filter(activity_id__in=ids).order_by("country"):
        rows.setdefault(row.activity_id, []).append(row)
    for pk, listed in rows.items():
        found[pk].trained = _shown(listed)
    for lessons in Lessons.objects.filter(activity_id__in=ids):
        found[lessons.activity_id].lessons = lessons
    return found
