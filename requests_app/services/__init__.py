"""Business rules of the requests app (views, API, admin and tasks call these)."""

from requests_app.services.booking import (  # noqa: F401
    accept_invitation,
    assign_manually,
    decline_invitation,
)
from requests_app.services.capacity import change_shift_capacity  # noqa: F401
from requests_app.services.category import recategorise_request  # noqa: F401
from requests_app.services.invitations import expire_invitations, send_wave  # noqa: F401
from requests_app.services.organisations import (  # noqa: F401
    approve_organisation,
    register_organisation,
    reject_organisation,
)
from requests_app.services.requests import (  # noqa: F401
    add_shifts,
    answer_info_request,
    approve_request,
    ask_more_information,
    cancel_request,
    cancel_shift,
    confirm_hours,
    create_request,
    escalate_request,
    reject_request,
    remove_shift,
    save_draft,
    set_ladder,
    submit_request,
)
