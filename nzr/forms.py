from django.forms.renderers import TemplatesSetting


class NZRFormRenderer(TemplatesSetting):
    """Every form field: label, help text and errors tied to the input (aria-describedby)."""

    field_template_name = "forms/field.html"
    form_template_name = "forms/form.html"
