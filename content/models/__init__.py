"""The content model, one module a concept; import from here."""

from content.models.articles import (
    BODY_MAX_LENGTH,
    KEY_RE,
    ArticleKeySequence,
    ArticlePosition,
    ArticleTag,
    Audience,
    Channel,
    KnowledgeArticle,
    KnowledgeIndexPage,
)
from content.models.changelog import Action, ChangeEvent, ChangeLogHead, ConsumerCursor
from content.models.overrides import BranchOverride, OverrideSection, SectionMode, Visibility
from content.models.releases import Release, ReleaseItem, ReleaseStatus
from content.models.reminders import ReviewReminder
from content.models.roles import BranchReviewTask, BranchRole, KnowledgeBaseSettings, Role
from content.models.snapshots import PublishedArticle, PublishedOverride
from content.models.taxonomy import (
    BRANCH_CODE_RE,
    Branch,
    BranchTree,
    Category,
    Product,
    ProductLine,
    SaleStatus,
    TreePathModel,
)

__all__ = [
    "BODY_MAX_LENGTH",
    "BRANCH_CODE_RE",
    "KEY_RE",
    "Action",
    "ArticleKeySequence",
    "ArticlePosition",
    "ArticleTag",
    "Audience",
    "Branch",
    "BranchOverride",
    "BranchReviewTask",
    "BranchRole",
    "BranchTree",
    "Category",
    "ChangeEvent",
    "ChangeLogHead",
    "Channel",
    "ConsumerCursor",
    "KnowledgeArticle",
    "KnowledgeBaseSettings",
    "KnowledgeIndexPage",
    "OverrideSection",
    "Product",
    "ProductLine",
    "PublishedArticle",
    "PublishedOverride",
    "Release",
    "ReleaseItem",
    "ReleaseStatus",
    "ReviewReminder",
    "Role",
    "SaleStatus",
    "SectionMode",
    "TreePathModel",
    "Visibility",
]
