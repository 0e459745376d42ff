"""Security management (Chapter 5, Art. 12, 17, 18; Annex 1 internet access).

- exposure: address filings (地址报备) and port opening requests (端口开放申请) — every inbound port
  of an internet-facing address is closed until a request for it is approved (Annex 1);
- access: access grants (授权) and the access sessions provider staff record against them (Art. 18);
- bulletins: the provider's monthly security bulletin and its read receipts (Art. 17);
- emergency: emergency plans with versions, drills and their follow-up items (Art. 12, 17), major
  events and the provider's protection plans for holidays and events (Art. 12);
- notices: the center's security notices to departments and their rectification (Art. 16, 17);
- events: security events the provider and the center record, counted per month (Art. 17);
- attachments: the PDF/PNG/JPEG files the above carry, kept outside the web root.
"""

from govcloud.security.models.access import (
    GRANTORS,
    AccessGrant,
    AccessSession,
    FlagReason,
    GrantEvent,
    GrantEventKind,
    GrantStatus,
)
from govcloud.security.models.attachments import Attachment, AttachmentType
from govcloud.security.models.bulletins import BulletinReceipt, BulletinStatus, SecurityBulletin
from govcloud.security.models.emergency import (
    DrillFollowUp,
    EmergencyDrill,
    EmergencyPlan,
    EmergencyPlanVersion,
    FollowUpStatus,
    MajorEvent,
    OccasionKind,
    PlanScope,
    ProtectionPlan,
)
from govcloud.security.models.events import EVENT_RECORDERS, SecurityEvent, SecurityEventKind
from govcloud.security.models.exposure import (
    FILERS,
    FILING_TRANSITIONS,
    PORT_REQUEST_TRANSITIONS,
    AddressFiling,
    FilingAction,
    FilingEvent,
    FilingEventKind,
    FilingStatus,
    OpenPort,
    PortChange,
    PortChangeKind,
    PortRequest,
    PortRequestAction,
    PortRequestStatus,
    Protocol,
)
from govcloud.security.models.notices import (
    AWAITING_DEPARTMENT,
    NOTICE_ISSUERS,
    NOTICE_RESPONDERS,
    RECTIFICATION_TRANSITIONS,
    TENANT_KINDS,
    NoticeEvent,
    NoticeEventKind,
    NoticeKind,
    NoticeRectification,
    NoticeSeverity,
    RectificationAction,
    RectificationReport,
    RectificationStatus,
    ReportDecision,
    SecurityNotice,
)

__all__ = [
    "AWAITING_DEPARTMENT",
    "EVENT_RECORDERS",
    "NOTICE_ISSUERS",
    "NOTICE_RESPONDERS",
    "RECTIFICATION_TRANSITIONS",
    "NoticeEvent",
    "NoticeEventKind",
    "NoticeKind",
    "NoticeRectification",
    "NoticeSeverity",
    "RectificationAction",
    "RectificationReport",
    "RectificationStatus",
    "ReportDecision",
    "SecurityEvent",
    "SecurityEventKind",
    "SecurityNotice",
    "TENANT_KINDS",
    "FILERS",
    "FILING_TRANSITIONS",
    "GRANTORS",
    "PORT_REQUEST_TRANSITIONS",
    "AccessGrant",
    "AccessSession",
    "AddressFiling",
    "Attachment",
    "AttachmentType",
    "BulletinReceipt",
    "BulletinStatus",
    "DrillFollowUp",
    "EmergencyDrill",
    "EmergencyPlan",
    "EmergencyPlanVersion",
    "FilingAction",
    "FilingEvent",
    "FilingEventKind",
    "FilingStatus",
    "FlagReason",
    "FollowUpStatus",
    "GrantEvent",
    "GrantEventKind",
    "GrantStatus",
    "MajorEvent",
    "OccasionKind",
    "OpenPort",
    "PlanScope",
    "PortChange",
    "PortChangeKind",
    "PortRequest",
    "PortRequestAction",
    "PortRequestStatus",
    "Protocol",
    "ProtectionPlan",
    "SecurityBulletin",
]
