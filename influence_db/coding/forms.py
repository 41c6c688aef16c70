from __future__ import annotations

from django import forms

from influence_db.coding.models import Source, format_creator, parse_creator


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


class SourceForm(forms.ModelForm):
    creators = CreatorsField(
        required=False,
        help_text='One per line, in order: "Waltz, Kenneth N." for a person, "Human Rights Watch" for an organisation.',
    )

    class Meta:
        model = Source
        fields = ["creators"]  # the admin adds the rest from its fieldsets
