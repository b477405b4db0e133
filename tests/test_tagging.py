"""Suggested tags (issue 18): the model, the commands, the item page, the inbox, auto-tagging."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from portal.demo.seed import seed_feedback
from portal.extensions import db
from portal.models import AuditEntry, Commitment, Feedback, FeedbackStatus, User
from portal.tagging import engine, service
from portal.tagging.models import SuggestionDecision, TaggingModel

from . import factories
from .conftest import csrf_for, restore_baseline

FOODBANK = "Please could you put a box for food bank donations of tins at Southport station?"
FOODBANK_SLUG = "foodbank-collection-points"


@pytest.fixture(scope="module")
def trained(app):
    """A model trained once per database on demo feedback, committed for the module's tests;
    the feedback itself is removed at once, the model after the module."""
    with app.app_context():
        seed_feedback(400, seed=18)
        record = service.train()
        db.session.commit()
        version = record.version
    restore_baseline(app, keep=frozenset({TaggingModel.__tablename__}))
    yield version
    restore_baseline(app)
    service._cache.clear()


@pytest.fixture
def member(app_ctx, make_user) -> User:
    return db.session.get(User, make_user("member"))


# --- the model ------------------------------------------------------------------------------


def labels() -> dict[str, list[engine.Label]]:
    return {
        "commitments": [
            engine.Label("foodbank", "Foodbank collection points at stations", ("fairer",)),
            engine.Label("safe-spaces", "Safe spaces for anyone who feels unsafe", ("fairer",)),
            engine.Label("environment", "Environmental benefits, cleaner air", ("greener",)),
        ],
        "themes": [engine.Label("fairer", "Fairer"), engine.Label("greener", "Greener")],
        "roles": [],
        "codes": [engine.Label("Air quality", "Air quality")],
    }


def test_day_one_suggestions_come_from_the_framework_alone():
    model = engine.Model(**labels()).fit([])
    [scores] = model.score(["A foodbank collection box at the station please"])
    assert scores.commitments[0][0] == "foodbank"
    # A theme is scored from the commitments that carry it.
    assert scores.themes[0][0] == "fairer"
    [scores] = model.score(["the air is not clean, environmental benefits matter"])
    assert scores.commitments[0][0] == "environment"
    assert scores.themes[0][0] == "greener"


def test_scores_are_ranked_between_zero_and_one():
    model = engine.Model(**labels()).fit([])
    for scores in model.score(["foodbank", "", "unsafe at night"]):
        for family in ("commitments", "themes", "codes"):
            values = [s for _, s in getattr(scores, family)]
            assert values == sorted(values, reverse=True)
            assert all(0 <= v <= 1 for v in values)


def test_per_word_character_ngrams_count_what_char_wb_counts():
    # Character n-grams are hashed once per distinct word and summed per text: the same counts
    # as scikit-learn's char_wb analyser hashing every text whole.
    features = engine.Features()
    texts = ["the lift at lime st  is broken, again!", "lime lime st", "", "a"]
    direct = features.chars.transform(texts)
    assert (features._chars(texts, None) != direct).nnz == 0


def test_features_of_training_texts_are_what_scoring_sees():
    texts = ["food bank box at southport", "unsafe on the platform at night", "food box"]
    features = engine.Features()
    fitted = features.fit_transform(texts)
    again = features.transform(texts)
    assert abs(fitted - again).max() < 1e-6
    # Unit rows; a word never seen in training adds nothing.
    assert np.allclose(np.sqrt(again.multiply(again).sum(axis=1)).A.ravel(), 1)
    unseen = features.transform(["food bank box at southport zzyzx"])
    assert abs(unseen - again[0]).max() < 1e-6


def labelled_examples() -> list[engine.Example]:
    """Tagged items for the three test commitments, none of them settled without one."""
    texts = {
        "foodbank": ["a box for tins and food donations at {} station", "food bank drop off at {}"],
        "safe-spaces": ["i felt unsafe at {} station at night", "somewhere safe to wait at {}"],
        "environment": ["cleaner air and less pollution at {}", "plant trees near {} station"],
    }
    places = ["Bootle", "Southport", "Kirkby", "Huyton", "Birkenhead", "Speke"]
    return [
        engine.Example(pattern.format(place), slug)
        for slug, patterns in texts.items()
        for pattern in patterns
        for place in places
    ]


def test_no_commitment_is_learned_from_the_general_reference_too():
    # No tagged item is "no commitment", yet the model knows the class from general.py's texts.
    examples = labelled_examples()
    assert not any(e.commitment == engine.NONE for e in examples)
    model = engine.Model(**labels()).fit(examples)
    assert engine.NONE in model.classifier.keys
    assert engine.NONE in model.naive_bayes.keys
    [food, lift, late] = model.score(
        [
            "Could there be a food bank donations box for tins at Bootle station?",
            "The lift at Southport station is out of order again.",
            "My bus was late and the driver was rude.",
        ]
    )
    assert food.commitments[0] == ("foodbank", food.commitments[0][1])
    assert food.commitments[0][1] >= model.possible
    assert lift.commitments[0][1] < model.possible
    assert late.commitments[0][1] < model.possible


def test_a_text_sharing_no_words_with_any_commitment_is_scaled_below_possible(monkeypatch):
    model = engine.Model(**labels()).fit(labelled_examples())
    text = "Kirkby Huyton Speke"  # only place names: in the tagged items, not in any commitment
    [scaled] = model.score([text])
    # Without the relevance scaling, the classifiers alone would name a commitment.
    monkeypatch.setattr(engine, "RELEVANT_SIMILARITY", 1e-9)
    [unscaled] = model.score([text])
    assert scaled.commitments[0][1] < model.possible <= unscaled.commitments[0][1]


def test_trained_model_learns_from_tagged_items(app_ctx, trained):
    model = service.current_model()
    assert model.version == trained
    assert model.classifier is not None
    [scores] = model.score([FOODBANK])
    assert scores.commitments[0][0] == FOODBANK_SLUG
    assert scores.commitments[0][1] >= model.possible


def test_development_set_figures_after_training_on_demo_feedback(app_ctx, trained):
    # tests/data/tagging_dev.jsonl is the set the settings are tuned on (the README's figures
    # are after 3,000 demo items; this model saw 400): a floor, so a change that loses
    # accuracy, or lets general feedback through as a suggestion, fails here first.
    path = Path(__file__).parent / "data" / "tagging_dev.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert len(lines) == 153 and sum(1 for line in lines if line["commitment"] is None) == 36
    figures = service.evaluate_file(lines)
    assert figures["top1"] >= 0.7
    assert figures["top3"] >= 0.85
    assert figures["no_commitment_below_possible"] >= 0.8


def test_train_stores_a_new_version_and_the_app_loads_it(app, app_ctx, trained):
    factories.feedback("On a commitment's own page", commitment=_commitment().id)
    factories.feedback("Not looked at yet: neither tagged nor settled")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tagging", "train"])
    assert result.exit_code == 0, result.output
    record = service.latest_record()
    assert record.version == trained + 1
    assert f"Trained model version {record.version}" in result.output
    assert record.training_size == 1
    assert (Path(app.instance_path) / "tagging" / record.file_name).exists()
    assert service.current_model().version == record.version
    # Back to the module's model for the other tests.
    db.session.delete(record)
    db.session.commit()
    assert service.current_model().version == trained


def test_training_skips_auto_applied_tags_and_unsettled_untagged_items(app_ctx, trained):
    tagged = factories.feedback("Tagged by the page it came from", commitment=_commitment().id)
    untouched = factories.feedback("Nobody has looked at this one yet")
    settled = factories.feedback("Closed with no commitment")
    settled.status = FeedbackStatus.CLOSED
    auto = factories.feedback("Tagged by the model itself")
    auto.commitment_id = _commitment().id
    db.session.add(
        SuggestionDecision(
            feedback_id=auto.id,
            family="commitments",
            label=FOODBANK_SLUG,
            action="auto",
            score=0.99,
            model_version=1,
        )
    )
    db.session.commit()
    by_text = {e.text: e for e in service.training_examples()}
    assert by_text[tagged.body].commitment == FOODBANK_SLUG
    assert by_text[untouched.body].commitment is None
    assert by_text[settled.body].commitment == engine.NONE
    assert by_text[auto.body].commitment is None


def _commitment(slug: str = FOODBANK_SLUG) -> Commitment:
    return db.session.scalar(select(Commitment).where(Commitment.slug == slug))


# --- flask tagging suggest ------------------------------------------------------------------


def test_suggest_reads_and_writes_json_lines(app, trained):
    lines = [
        {"id": 7, "text": FOODBANK},
        {"id": "abc", "text": "Plant trees along the railway, cut the diesel fumes"},
    ]
    result = app.test_cli_runner().invoke(
        args=["tagging", "suggest"], input="\n".join(json.dumps(x) for x in lines) + "\n\n"
    )
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == [7, "abc"]
    for o in out:
        assert set(o) == {"id", "commitments", "themes", "roles", "codes", "possible"}
        assert 0 < o["possible"] < 1
        for family, key in [
            ("commitments", "slug"),
            ("themes", "slug"),
            ("roles", "slug"),
            ("codes", "name"),
        ]:
            scores = [x["score"] for x in o[family]]
            assert scores == sorted(scores, reverse=True)
            assert all(0 <= s <= 1 for s in scores)
            assert all(set(x) == {key, "score"} for x in o[family])
        assert len(o["commitments"]) == 13
    assert out[0]["commitments"][0]["slug"] == FOODBANK_SLUG


@pytest.mark.parametrize("bad", ["not json", '{"id": 1}', '{"id": 1, "text": 5}', "[1, 2]"])
def test_suggest_refuses_a_bad_line_with_its_number(app, bad):
    result = app.test_cli_runner().invoke(
        args=["tagging", "suggest"], input=json.dumps({"id": 1, "text": "ok"}) + "\n" + bad
    )
    assert result.exit_code != 0
    assert "line 2" in result.output


# --- flask tagging evaluate -----------------------------------------------------------------


def test_evaluate_scores_each_fold_with_a_model_that_did_not_see_it(app_ctx, monkeypatch):
    seed_feedback(120, seed=5)
    db.session.commit()
    trained_on: list[set[str]] = []
    scored: list[set[str]] = []
    fit, score = engine.Model.fit, engine.Model.score

    def spy_fit(self, examples):
        trained_on.append({e.text for e in examples})
        return fit(self, examples)

    def spy_score(self, texts):
        scored.append(set(texts))
        return score(self, texts)

    monkeypatch.setattr(engine.Model, "fit", spy_fit)
    monkeypatch.setattr(engine.Model, "score", spy_score)
    figures = service.evaluate(folds=3)
    assert len(trained_on) == len(scored) == 3
    for seen, tested in zip(trained_on, scored, strict=True):
        assert tested and not (seen & tested)
    assert figures["folds"] == 3
    assert 0 <= figures["top1"] <= figures["top3"] <= 1
    assert figures["commitment_items"] + figures["no_commitment_items"] == figures["items"]


def test_evaluate_command_stores_figures_for_the_admin_page(app, trained, staff_client):
    with app.app_context():
        seed_feedback(120, seed=6)
    runner = app.test_cli_runner()
    heldout = Path(__file__).parent / "data" / "tagging_heldout.jsonl"
    result = runner.invoke(args=["tagging", "evaluate", "--folds", "2", "--heldout", str(heldout)])
    assert result.exit_code == 0, result.output
    assert "top-1" in result.output and "Held-out file (123 texts)" in result.output
    with app.app_context():
        metrics = service.latest_record().metrics
        assert metrics["folds"] == 2 and "heldout" in metrics
    page = staff_client("member").get("/admin/tagging").get_data(as_text=True)
    assert "Right commitment in the top 3" in page
    assert f"{metrics['top3'] * 100:.0f}%" in page
    # Cleanup keeps the module's model without figures.
    with app.app_context():
        service.latest_record().metrics = None
        db.session.commit()


def test_evaluate_needs_tagged_items(app):
    result = app.test_cli_runner().invoke(args=["tagging", "evaluate"])
    assert result.exit_code != 0
    assert "Too few tagged items" in result.output


# --- item page ------------------------------------------------------------------------------


def test_item_page_shows_suggestions_with_confidence_words(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    assert "Suggested tags" in page
    assert 'data-family="commitments" data-label="foodbank-collection-points"' in page
    assert "More foodbank collection points" in page
    assert ">likely<" in page or ">possible<" in page
    assert "tagging.apply" not in page and f"/triage/{reference}/suggestions/apply" in page


def test_apply_is_recorded_in_the_audit_trail_and_as_model_feedback(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    token = csrf_for(client, f"/triage/{reference}")
    response = client.post(
        f"/triage/{reference}/suggestions/apply",
        data={"csrf_token": token, "family": "commitments", "label": FOODBANK_SLUG},
    )
    assert response.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert item.commitment.slug == FOODBANK_SLUG
        actions = {
            (e.action, e.field, e.after)
            for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == item.id))
        }
        assert ("suggestion applied", None, f"commitments: {FOODBANK_SLUG}") in actions
        assert ("update", "commitment", FOODBANK_SLUG) in actions
        decision = db.session.scalar(select(SuggestionDecision))
        assert (decision.action, decision.label, decision.feedback_id) == (
            "applied",
            FOODBANK_SLUG,
            item.id,
        )
        assert decision.model_version == trained and 0 < decision.score <= 1
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    assert 'data-label="foodbank-collection-points"' not in page
    assert "suggestion applied" in page  # the history table


def test_dismiss_is_recorded_and_not_suggested_again(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    token = csrf_for(client, f"/triage/{reference}")
    response = client.post(
        f"/triage/{reference}/suggestions/dismiss",
        data={"csrf_token": token, "family": "commitments", "label": FOODBANK_SLUG},
    )
    assert response.status_code == 303
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert item.commitment is None
        assert db.session.scalar(select(SuggestionDecision.action)) == "dismissed"
        assert db.session.scalar(
            select(func.count()).where(
                AuditEntry.entity_id == item.id, AuditEntry.action == "suggestion dismissed"
            )
        )
    page = client.get(f"/triage/{reference}").get_data(as_text=True)
    assert 'data-label="foodbank-collection-points"' not in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"family": "nonsense", "label": FOODBANK_SLUG}, "Choose a suggestion to apply"),
        ({"family": "commitments", "label": ""}, "Choose a suggestion to apply"),
        ({"family": "commitments", "label": "no-such-commitment"}, "no longer available"),
        ({"family": "codes", "label": "x" * 200}, "Choose a suggestion to apply"),
    ],
)
def test_apply_refuses_bad_input_and_changes_nothing(app, trained, staff_client, data, message):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    token = csrf_for(client, f"/triage/{reference}")
    response = client.post(
        f"/triage/{reference}/suggestions/apply", data={"csrf_token": token, **data}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SuggestionDecision)) == 0
        item = db.session.scalar(select(Feedback).where(Feedback.reference == reference))
        assert item.commitment is None


def test_apply_keeps_one_commitment_per_item(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        item = factories.feedback(commitment=_commitment("environmental-benefits").id)
        reference = item.reference
    token = csrf_for(client, f"/triage/{reference}")
    response = client.post(
        f"/triage/{reference}/suggestions/apply",
        data={"csrf_token": token, "family": "commitments", "label": FOODBANK_SLUG},
        follow_redirects=True,
    )
    assert "already about Environmental benefits" in response.get_data(as_text=True)


def test_suggestion_actions_need_a_member(app, client, staff_client, trained):
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    url = f"/triage/{reference}/suggestions/apply"
    assert client.post(url, data={}).status_code in (302, 303, 400)
    response = client.get("/admin/tagging")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    officer = staff_client("officer")
    token = csrf_for(officer, "/feedback")
    data = {"csrf_token": token, "family": "commitments", "label": FOODBANK_SLUG}
    assert officer.post(url, data=data).status_code == 403
    assert officer.post(f"/triage/{reference}/suggestions/dismiss", data=data).status_code == 403
    assert officer.post("/triage/suggestions/bulk", data={"csrf_token": token}).status_code == 403
    assert officer.get("/admin/tagging").status_code == 403
    assert staff_client("member").post("/triage/NOPE/suggestions/apply", data=data).status_code in (
        400,
        404,
    )


# --- inbox and bulk apply -------------------------------------------------------------------


def test_inbox_marks_untagged_items_with_their_suggestion(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        factories.feedback(FOODBANK)
        factories.feedback("Another about food bank donations", commitment=_commitment().id)
    page = client.get("/triage").get_data(as_text=True)
    assert page.count('data-suggested="foodbank-collection-points"') == 1
    assert "Apply the top suggestion to the selected items" in page


def test_inbox_scores_the_pages_untagged_items_in_one_call(app, trained, staff_client, monkeypatch):
    client = staff_client("member")
    with app.app_context():
        untagged = [
            factories.feedback(FOODBANK).body,
            factories.feedback("Food bank box at Birkenhead bus station for donations").body,
        ]
        factories.feedback("Already has one", commitment=_commitment("environmental-benefits").id)
        # The model is kept per process: forget the scores earlier tests made it keep.
        service.current_model().__dict__.pop("_kept_scores", None)
    calls: list[list[str]] = []
    score = engine.Model.score

    def spy_score(self, texts):
        calls.append(list(texts))
        return score(self, texts)

    monkeypatch.setattr(engine.Model, "score", spy_score)
    page = client.get("/triage").get_data(as_text=True)
    assert len(calls) == 1
    assert set(untagged) <= set(calls[0])
    assert "Already has one" not in calls[0]
    assert page.count('data-suggested="foodbank-collection-points"') == 2
    # The page again (here the htmx results block alone): the model kept those texts' scores.
    calls.clear()
    again = client.get("/triage?status=new", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert calls == []
    assert again.count('data-suggested="foodbank-collection-points"') == 2
    # A text it has not scored (an edited one) is scored, alone.
    with app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.body == untagged[1]))
        item.body = "Food bank crates at Liverpool ONE bus station for donations"
        db.session.commit()
    client.get("/triage?status=new", headers={"HX-Request": "true"})
    assert calls == [["Food bank crates at Liverpool ONE bus station for donations"]]


def test_inbox_marker_leaves_out_a_dismissed_suggestion(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        reference = factories.feedback(FOODBANK).reference
    assert 'data-suggested="foodbank-collection-points"' in client.get("/triage").text
    token = csrf_for(client, f"/triage/{reference}")
    client.post(
        f"/triage/{reference}/suggestions/dismiss",
        data={"csrf_token": token, "family": "commitments", "label": FOODBANK_SLUG},
    )
    assert 'data-suggested="foodbank-collection-points"' not in client.get("/triage").text


def test_bulk_apply_shows_what_will_be_applied_before_applying(app, trained, staff_client):
    client = staff_client("member")
    with app.app_context():
        first, second = (
            factories.feedback(FOODBANK),
            factories.feedback("Food bank box at Birkenhead bus station for donations"),
        )
        tagged = factories.feedback(
            "Already has one", commitment=_commitment("environmental-benefits").id
        )
        ids = [first.id, second.id, tagged.id]
    token = csrf_for(client, "/triage")
    preview = client.post(
        "/triage/suggestions/bulk",
        data={"csrf_token": token, "ids": ids, "return_to": "/triage?status=new"},
    )
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert html.count("More foodbank collection points") >= 2
    assert "No change (already Environmental benefits)" in html
    assert "Apply to 2 items" in html
    # The confirm button's form carries the applicable items and the page to go back to
    # (BulkSuggestionForm's hidden inputs, without ids).
    confirm = html[html.index('action="/triage/suggestions/bulk/apply"') :]
    confirm = confirm[: confirm.index("</form>")]
    # In the inbox's order, newest first (the second item was received after the first).
    assert re.findall(r'<input type="hidden" name="ids" value="(\d+)">', confirm) == [
        str(ids[1]),
        str(ids[0]),
    ]
    assert '<input name="return_to" type="hidden" value="/triage?status=new">' in confirm
    with app.app_context():  # nothing applied yet
        assert db.session.scalar(select(func.count()).select_from(SuggestionDecision)) == 0
    response = client.post(
        "/triage/suggestions/bulk/apply",
        data={"csrf_token": token, "ids": ids, "return_to": "/triage?status=new"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/triage?status=new")
    with app.app_context():
        for item_id in ids[:2]:
            assert db.session.get(Feedback, item_id).commitment.slug == FOODBANK_SLUG
        assert db.session.get(Feedback, ids[2]).commitment.slug == "environmental-benefits"
        assert db.session.scalar(select(func.count()).select_from(SuggestionDecision)) == 2


def test_bulk_apply_with_nothing_selected_says_so(app, trained, staff_client):
    client = staff_client("member")
    token = csrf_for(client, "/triage")
    response = client.post(
        "/triage/suggestions/bulk", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Select at least one item" in response.get_data(as_text=True)
    response = client.post(
        "/triage/suggestions/bulk/apply", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Select at least one item" in response.get_data(as_text=True)
    # Not an item id, and a page elsewhere to go back to: nothing selected, back to the inbox.
    response = client.post(
        "/triage/suggestions/bulk/apply",
        data={"csrf_token": token, "ids": ["x", "-1"], "return_to": "https://evil.example/"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/triage"


# --- auto-tagging ---------------------------------------------------------------------------


def test_auto_tagging_is_off_by_default(app_ctx, trained):
    item = factories.feedback(FOODBANK)
    assert item.commitment is None
    assert not db.session.scalars(select(SuggestionDecision)).all()
    assert service.current_settings().auto_enabled is False


def _switch(client, enabled: str, threshold: str):
    token = csrf_for(client, "/admin/tagging")
    return client.post(
        "/admin/tagging/settings",
        data={"csrf_token": token, "enabled": enabled, "threshold": threshold},
    )


def test_auto_tagging_applies_only_above_the_threshold(app, trained, staff_client):
    admin = staff_client("admin")
    with app.app_context():
        [scores] = service.current_model().score([FOODBANK])
        top = scores.commitments[0][1]
    assert _switch(admin, "yes", f"{top + 0.001:.4f}").status_code == 303
    with app.app_context():
        below = factories.feedback(FOODBANK)
        assert below.commitment is None
        # Only themes or roles scoring above the threshold (if any) were applied.
        assert all(d.score > top for d in db.session.scalars(select(SuggestionDecision)))
    assert _switch(admin, "yes", f"{top - 0.001:.4f}").status_code == 303
    with app.app_context():
        above = factories.feedback(FOODBANK)
        assert above.commitment.slug == FOODBANK_SLUG
        decisions = db.session.scalars(
            select(SuggestionDecision).where(SuggestionDecision.feedback_id == above.id)
        ).all()
        assert {(d.family, d.action) for d in decisions} >= {("commitments", "auto")}
        assert all(d.score > top - 0.001 for d in decisions)
        reference = above.reference
    page = admin.get(f"/triage/{reference}").get_data(as_text=True)
    assert "Applied automatically" in page and "(auto)" in page
    counts = admin.get("/admin/tagging").get_data(as_text=True)
    assert "Applied automatically" in counts
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(SuggestionDecision))
        items = db.session.scalar(select(func.count(func.distinct(SuggestionDecision.feedback_id))))
    assert f"{total} tags on {items} items" in counts


@pytest.mark.parametrize("threshold", ["", "abc", "1.5", "-0.1", "nan"])
def test_auto_tagging_threshold_must_be_between_0_and_1(app, staff_client, threshold):
    admin = staff_client("admin")
    response = _switch(admin, "yes", threshold)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    with app.app_context():
        assert service.current_settings().auto_enabled is False


def test_only_admins_switch_auto_tagging(app, staff_client):
    member = staff_client("member")
    page = member.get("/admin/tagging").get_data(as_text=True)
    assert "Auto-tagging is <strong>off</strong>" in page and "save-auto-tagging" not in page
    assert _switch(member, "yes", "0.5").status_code == 403
    admin = staff_client("admin")
    assert _switch(admin, "yes", "0.5").status_code == 303
    with app.app_context():
        assert service.current_settings().auto_enabled is True
        assert db.session.scalar(
            select(func.count()).where(AuditEntry.entity_type == "tagging_settings")
        )
    assert "Auto-tagging is <strong>on</strong>" in admin.get("/admin/tagging").get_data(
        as_text=True
    )


def test_reports_count_auto_applied_tags_apart_from_staff_tagging(app, trained, staff_client):
    from io import BytesIO

    from openpyxl import load_workbook

    from portal.models import utcnow
    from portal.periods import financial_quarter, quarter_of

    admin = staff_client("admin")
    with app.app_context():
        # Tagged by staff (its own commitment page) while auto-tagging is off.
        factories.feedback("Tagged by its own commitment page", commitment=_commitment().id)
        [scores] = service.current_model().score([FOODBANK])
        threshold = scores.commitments[0][1] - 0.001
    assert _switch(admin, "yes", f"{threshold:.4f}").status_code == 303
    with app.app_context():
        kept = factories.feedback(FOODBANK)  # auto-tagged, and left as it is
        replaced = factories.feedback(FOODBANK)  # auto-tagged, then staff chose another commitment
        assert kept.commitment.slug == replaced.commitment.slug == FOODBANK_SLUG
        replaced.commitment = _commitment("environmental-benefits")
        spam = factories.feedback(FOODBANK)  # auto-tagged, but spam is left out of reports
        spam.status = FeedbackStatus.SPAM
        db.session.commit()
        families = db.session.scalars(
            select(SuggestionDecision.family).where(
                SuggestionDecision.feedback_id == kept.id, SuggestionDecision.action == "auto"
            )
        ).all()
        year, quarter = quarter_of(utcnow().date())
        period = financial_quarter(year, quarter)
        counts = service.auto_tag_counts(period.start_at, period.end_before)
    # The replaced item keeps its auto-applied themes and roles (still on it), not its commitment.
    assert counts.commitments == 1
    assert counts.items == 2
    assert counts.total == 2 * len(families) - 1
    assert counts.themes == 2 * families.count("themes")
    page = admin.get(f"/reports/quarterly/{year}-Q{quarter}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tags applied automatically" in text
    assert "2 items have at least one tag applied by auto-tagging" in text
    assert f"({counts.total} tags in all)" in text
    annual = admin.get(f"/reports/annual/{year}").get_data(as_text=True)
    assert "Tags applied automatically" in annual and f"({counts.total} tags in all)" in annual
    workbook = load_workbook(BytesIO(admin.get(f"/reports/annual/{year}.xlsx").data))
    rows = list(workbook["Auto-applied tags"].iter_rows(values_only=True))
    assert ("Commitment", 1) in rows and ("Items with a tag applied automatically", 2) in rows
    docx = admin.get(f"/reports/quarterly/{year}-Q{quarter}.docx")
    assert docx.status_code == 200


def test_reports_show_no_auto_applied_tags_when_auto_tagging_is_off(app, trained, staff_client):
    from portal.models import utcnow
    from portal.periods import quarter_of

    admin = staff_client("admin")
    with app.app_context():
        factories.feedback(FOODBANK)
    year, quarter = quarter_of(utcnow().date())
    text = admin.get(f"/reports/quarterly/{year}-Q{quarter}").get_data(as_text=True)
    assert "0 items have at least one tag applied by auto-tagging" in text
    assert "(0 tags in all)" in text
