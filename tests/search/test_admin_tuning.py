"""The glossary and best bets in the admin: form errors, and what a new word needs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from search import glossary
from search.models import PromotedResult, SynonymGroup
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ADD_GLOSSARY = "/admin/snippets/search/synonymgroup/add/"
AT_LEAST_TWO = "A synonym group needs at least two different terms."
NO_WORD_IN_TERMS = "These terms hold no searchable word: %(terms)s"
IGNORED_WORDS = (
    "Search ignores these words (too common to tell articles apart), so they cannot be "
    "synonyms: %(terms)s"
)


def said(message: str) -> str:
    """`message` as the admin shows it (in the site's language), up to its first field."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message).split("%(")[0]


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


def test_a_synonym_group_is_saved_and_says_which_words_need_a_reindex(admin: Client) -> None:
    response = admin.post(ADD_GLOSSARY, {"terms": "理赔/索赔/康宁赔付通", "note": ""}, follow=True)
    assert response.status_code == 200
    assert SynonymGroup.objects.latest("pk").term_list == ["理赔", "索赔", "康宁赔付通"]
    warnings = [str(m) for m in response.context["messages"]]
    assert any("康宁赔付通" in m and "kms_reindex" in m and "理赔、" not in m for m in warnings)


def test_a_glossary_entry_of_200_kb_is_a_form_error(admin: Client) -> None:
    before = SynonymGroup.objects.count()
    response = admin.post(ADD_GLOSSARY, {"terms": "理赔/索赔" + "," * 200_000, "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["terms"]
    assert SynonymGroup.objects.count() == before


@pytest.mark.parametrize(
    ("terms", "error"),
    [
        ("理赔", AT_LEAST_TWO),
        ("理赔/理賠", AT_LEAST_TWO),
        ("理赔/？？", NO_WORD_IN_TERMS),
        ("的/了/吗", IGNORED_WORDS),
        ("理赔/的", IGNORED_WORDS),
    ],
)
def test_a_bad_synonym_group_is_a_form_error(admin: Client, terms: str, error: str) -> None:
    before = SynonymGroup.objects.count()
    response = admin.post(ADD_GLOSSARY, {"terms": terms, "note": ""})
    assert response.status_code == 200  # the form again, with the error
    assert said(error) in response.content.decode()
    assert SynonymGroup.objects.count() == before


def test_a_best_bet_with_no_searchable_word_is_refused(admin: Client) -> None:
    article = make_article(key="KB-600001")
    response = admin.post(
        "/admin/snippets/search/promotedresult/add/",
        {"query": "？！", "article": article.pk, "branch": "", "order": 0},
    )
    assert response.status_code == 200
    assert said("The query holds no searchable word.") in response.content.decode()
    assert not PromotedResult.objects.exists()


@pytest.mark.parametrize("again", ["理赔材料", "理赔 材料？"])
def test_the_same_best_bet_twice_is_a_form_error(admin: Client, again: str) -> None:
    article = make_article(key="KB-600002")
    add = "/admin/snippets/search/promotedresult/add/"
    first = {"query": "理赔材料", "article": article.pk, "branch": "", "order": 0}
    assert admin.post(add, first).status_code == 302
    response = admin.post(add, {**first, "query": again})
    assert response.status_code == 200  # the form again, not a server error
    assert said("This article is already a best bet for this query in this branch.") in (
        response.content.decode()
    )
    assert PromotedResult.objects.count() == 1


def test_a_best_bet_too_long_once_normalised_is_a_form_error(admin: Client) -> None:
    article = make_article(key="KB-600003")
    response = admin.post(
        "/admin/snippets/search/promotedresult/add/",
        {"query": "㍿" * 100, "article": article.pk, "branch": "", "order": 0},
    )
    assert response.status_code == 200
    assert said("The query is too long once normalised: keep it shorter.") in (
        response.content.decode()
    )
    assert not PromotedResult.objects.exists()


def test_a_best_bet_counts_once_committed_whatever_was_cached_meanwhile(
    django_capture_on_commit_callbacks,
) -> None:
    """A search may read the glossary while the admin's transaction is still open: the
    commit makes every process read it again (content.stamps; across processes:
    tests/content/test_stamps.py)."""
    article = make_article(key="KB-600004")
    with django_capture_on_commit_callbacks(execute=True):
        PromotedResult.objects.create(query="退保", article=article)
        glossary.current()  # a search meanwhile
    assert "退保" in glossary.current().pinned


def test_the_starter_glossary_is_added_only_to_an_empty_glossary() -> None:
    from importlib import import_module

    from django.apps import apps

    starter = import_module("search.migrations.0002_starter_glossary")
    assert SynonymGroup.objects.count() == len(starter.STARTER_GROUPS)  # a new installation
    SynonymGroup.objects.all().delete()
    SynonymGroup.objects.create(terms="理赔/报销")
    starter.add_starter_groups(apps, None)
    assert [group.term_list for group in SynonymGroup.objects.all()] == [["理赔", "报销"]]
    SynonymGroup.objects.all().delete()
    starter.add_starter_groups(apps, None)
    assert SynonymGroup.objects.count() == len(starter.STARTER_GROUPS)
    for group in SynonymGroup.objects.all():
        group.full_clean()  # each passes the form's checks


@pytest.mark.parametrize("wrong", ["x", "1.5", "-1", "99999999999999999999999"])
@pytest.mark.parametrize("field", ["article", "branch"])
def test_a_best_bet_naming_what_is_no_id_is_a_form_error(
    admin: Client, field: str, wrong: str
) -> None:
    """A hand-made POST: the form again with its error, never a server error."""
    article = make_article(key="KB-600005")
    form = {"query": "理赔材料", "article": article.pk, "branch": "", "order": 0}
    response = admin.post("/admin/snippets/search/promotedresult/add/", {**form, field: wrong})
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not PromotedResult.objects.exists()
