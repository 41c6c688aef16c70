from __future__ import annotations

from django import forms

from influence_db.coding.models import CodedRecord, Source, format_creator, parse_creator
from influence_db.coding.services import describe_change_since


class CodedRecordForm(forms.ModelForm):
    """Carries the version the editor loaded, so a stale edit is refused, not saved over."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        record: CodedRecord = self.instance
        if record.pk is None:
            return cleaned
        loaded = cleaned.get("loaded_version")
        if loaded is None:
            raise forms.ValidationError("This form does not say which version of the record it edits; reload it.")
        current = type(record)._default_manager.filter(pk=record.pk).values_list("version", flat=True).first()
        if loaded != current:
            stale = type(record)(pk=record.pk, version=loaded)
            raise forms.ValidationError(describe_change_since(stale))
        return cleaned


class CreatorsField(forms.CharField):
    """Creators as a coder types them: one per line, "Family, Given" or an organisation's name."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return "\n".join(format_creator(name) for name in value)
        return value

    def to_python(self, value: object) -> list[dict[str, str]]:
        text = super().to_python(value) or ""
        return [parse_creator(line) for line in text.splitlines() if line.strip()]


class SourceForm(CodedRecordForm):
    creators = CreatorsField(
        required=False,
        help_text='One per line, in order: "Waltz, Kenneth N." for a person, "Human Rights Watch" for an organisation.',
    )

    class Meta:
        model = Source
        fields = ["creators"]  # the admin adds the rest from its fieldsets


class ReturnForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="What the coder should change. They see this on each record.",
    )


# The review's fields sit inside the record's form on the page but belong to the review's
# own form (see admin/coding/review_change_form.html).
IN_REVIEW_FORM = {"form": "review-form"}


class ReviewForm(forms.Form):
    """A supervisor's decision on one record, from the record's own page."""

    # The version the supervisor read: a record changed since is refused, not approved unseen.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput(attrs=IN_REVIEW_FORM))
    comment = forms.CharField(
        widget=forms.Textarea(attrs={**IN_REVIEW_FORM, "rows": 3, "cols": 80}),
        required=False,
        help_text="Needed to return it: what the coder should change.",
    )


class ActorAliasFormSet(forms.BaseInlineFormSet):
    """The database refuses an alias an actor already has (ignoring case); say so in the form."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("name", "")
            if name.casefold() in seen:
                form.add_error("name", f"This actor already has this alias: “{name}” is listed twice (ignoring case).")
            seen.add(name.casefold())
