"""Forms of the client pages."""

from django import forms

MAX_PHOTO_BYTES = 5 * 1024 * 1024


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Name or Client ID", max_length=100, required=False, strip=True)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label="Photo", help_text="A JPEG or PNG, at most 5 MB.")

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("The photo is larger than 5 MB.")
        return photo
