from django import forms

from meetings.models import ActionItem


class ActionProgressForm(forms.ModelForm):
    """The owner's progress on one 次回に向けて item (the center closes it at a meeting)."""

    class Meta:
        model = ActionItem
        fields = ["progress", "progress_note"]
        widgets = {
            "progress": forms.RadioSelect,
            "progress_note": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["progress"].choices = [c for c in self.fields["progress"].choices if c[0]]
