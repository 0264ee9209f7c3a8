"""Answers that answer: question analysis, answerability, referents, scope and provenance."""

import dataclasses
import re

import pytest

from assistant import Assistant, is_verbatim, quote_of_line
from assistant._analysis import analyse, asks_cause, asks_make_up, own_topics, years_by_trust
from assistant._answerability import Speller, mend
from assistant._conversation import condense
from assistant._extractive import _beyond_theme, _counted, focus_weights
from assistant._provenance import ORDER, merge_labels, provenance, url_label
from assistant._sentences import holds, is_fragment, person_names, split_passage, spoken_by
from index import Chunk, HashEmbedder, tokenize

OXLEAS = "Oxleas NHS Foundation Trust"
NSCHT = "North Staffordshire Combined Healthcare NHS Trust"
SWYPFT = "South West Yorkshire Partnership NHS Foundation Trust"


def chunk(text: str, trust: str = OXLEAS, **extra) -> Chunk:
    fields = dict(
        id="doc:1",
        doc_id="doc",
        title="Notes",
        trust=trust,
        section="Leadership",
        section_path="Leadership",
        theme="leadership",
        page=0,
        start=0,
        end=len(text),
        text=text,
        doc_kind="case-study-notes",
    )
    return Chunk(**{**fields, **extra})


# --- question analysis -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer_type", "scope"),
    [
        ("What did Oxleas do to engage staff?", "how_what", "one_trust"),
        ("Which trust was rated outstanding?", "trust", "all_trusts"),
        ("What was Oxleas's annual income?", "figure", "one_trust"),
        ("How many volunteers did Oxleas and SWYPFT have?", "figure", "named_trusts"),
        ("When was the merger of Somerset Partnership completed?", "date", "one_trust"),
        ("Who was chief executive of Calderstones in 2013?", "person", "one_trust"),
        ("How did the trusts react to a poor first rating?", "how_what", "all_trusts"),
        ("When did CQC publish the Driving improvement report?", "date", "report"),
        ("What was Lincolnshire Partnership's staff survey response rate?", "figure", "one_trust"),
    ],
)
def test_answer_type_and_scope(question, answer_type, scope):
    analysis = analyse(question)
    assert (analysis.answer_type, analysis.scope) == (answer_type, scope)


def test_the_case_study_trusts_and_a_bare_they_are_the_trusts():
    """'The case study trusts' are the seven; with nobody named, 'they' are the trusts too."""
    visible = analyse("How did chief execs make themselves visible across the case study trusts?")
    assert visible.scope == "all_trusts" and "themselves" not in visible.focus
    assert analyse("What were they aiming for after reaching good?").scope == "all_trusts"
    assert analyse("How many case studies were there?").scope == "report"
    assert analyse("Why were they chosen for the report?").scope == "report"  # CQC's "they"
    curly = analyse("What was the big lesson in CQC’s report?")  # a curly apostrophe too
    assert (curly.scope, curly.focus) == ("report", "big lesson")


def test_cqcs_summary_is_the_report_and_good_reached_is_the_next_step():
    summary = analyse("In CQC's summary, what did good governance boil down to?")
    assert (summary.scope, summary.focus) == ("report", "good governance")
    lesson = analyse("What was the big cultural lesson in CQC's report on the seven trusts?")
    assert lesson.scope == "report" and "report" not in lesson.focus
    assert analyse("What can other trusts learn from the report about leadership?").scope == (
        "all_trusts"  # 'from the report' only says where the trusts are
    )
    assert "next_steps" in analyse("Where should they go once they'd reached good?").themes
    for aside in ("making good progress", "made good use of its survey"):  # no rating reached
        assert "next_steps" not in analyse(f"After {aside}, how did Oxleas keep going?").themes
    assert analyse("How did the trusts in CQC's report reduce restraint?").scope == "all_trusts"


def test_a_claim_put_for_checking_is_a_yes_no_question():
    from assistant._analysis import as_checked_claim

    told = "I've been told Oxleas was rated outstanding in 2019. Is that correct?"
    assert as_checked_claim(told) == "Is it the case that Oxleas was rated outstanding in 2019?"
    tagged = analyse("Sheffield dropped to inadequate at its 2018 inspection, didn't it?")
    assert tagged.answer_type == "yes_no" and "case" not in tagged.focus
    assert as_checked_claim("Oxleas was rated good in 2017, right?").startswith("Is it the case")
    for tagged_or_checked in (
        "Oxleas was rated good, was it not?",
        "Oxleas was good. Isn't that right?",
    ):
        assert as_checked_claim(tagged_or_checked).startswith("Is it the case that Oxleas was")
    assert (
        as_checked_claim("Most trusts improved, right?")
        == "Is it the case that most trusts improved?"
    )
    for question in ("What went right?", "Was Oxleas rated good, is that right?"):
        assert as_checked_claim(question) == question  # asked already, or no claim put


def test_money_put_up_and_a_visit_made_again_are_said_in_the_documents_words():
    funder = analyse("Who put up the money for the Sheffield Microsystem Coaching Academy?")
    assert funder.answer_type == "organisation" and "funded" in funder.focus.split()
    assert "revisited" in analyse("Which trusts did CQC go back to in 2020?").focus.split()
    for not_a_visit in (
        "Which trusts went back to requires improvement?",
        "Did Oxleas go back to basics?",
    ):
        assert "revisited" not in analyse(not_a_visit).focus.split()
    from assistant._assistant import _asserted_rating

    hoped = analyse("What would Sheffield need to do to move up to outstanding?")
    assert _asserted_rating(hoped) == ""  # a rating hoped for is no premise to correct
    assert _asserted_rating(analyse("Did Sheffield drop to inadequate in 2018?")) == "inadequate"


def test_how_real_the_answer_should_be_is_no_topic():
    assert analyse("How did the trusts react in practice?").focus == "react"
    assert "practice" in analyse("How did trusts cut restrictive practice?").focus
    assert "practical" not in analyse("What practical steps did Sheffield take?").focus


def test_where_and_when_words_do_not_make_a_question_about_the_report():
    partners = analyse("Which partnerships did the trusts build - police, acute hospitals?")
    assert partners.scope == "all_trusts"  # acute hospitals, not the acute trusts' report
    assert analyse("What did the acute report find?").scope == "report"
    later = analyse("Did any of the trusts go backwards after the March 2018 publication?")
    assert later.scope == "all_trusts"  # the publication only says when
    seven = analyse("Of the seven mental health trusts, which got an outstanding rating?")
    assert seven.answer_type == "trust" and "mental" not in seven.focus
    assert "mental" in analyse("When was the seven mental health trusts report published?").focus


def quotes_of(text: str) -> list[str]:
    """The quotes a one-passage text yields, in order."""
    return [s.quote for s in split_passage(chunk(text))]


def test_focus_drops_scaffolding_trust_names_and_years():
    assert analyse("What did Oxleas do to engage staff?").focus == "engage staff"
    assert analyse("What was Oxleas's annual income in 2019?").focus == "annual income"
    changes = analyse("How did chief executive changes compare during their improvement?")
    assert changes.focus == "chief executive changes improvement"  # "during" is no topic
    assert "taken over" in analyse("Which trusts were taken over by another?").focus
    assert analyse("How many volunteers did Oxleas have?").figure_kind == "count"
    assert analyse("How much did Oxleas spend on agency nurses?").figure_kind == "money"
    went_about = analyse("How has Sheffield gone about building a QI culture among teams?")
    assert went_about.focus == "building quality improvement culture teams"  # "gone about": frame


def test_organisations_outside_the_seven_are_told_apart():
    outside = analyse("How did Devon Partnership NHS Trust improve its rating?")
    assert outside.outside == ("Devon Partnership NHS Trust",) and outside.trusts == ()
    similar = analyse("How did Sheffield Teaching Hospitals NHS Foundation Trust improve?")
    assert similar.trusts == () and similar.outside
    lower = analyse("how did leeds and york partnership involve service users")
    assert lower.outside == ("leeds and york partnership",)
    ours = analyse("What did Lincolnshire Partnership NHS Foundation Trust do about safety?")
    assert ours.outside == () and ours.trusts == ("Lincolnshire Partnership NHS Foundation Trust",)
    both = analyse("Compare how Oxleas and Somerset Partnership were found at first.")
    assert both.outside == () and len(both.trusts) == 2 and both.comparison


def test_themes_named_by_word_pairs():
    assert "staff_engagement" in analyse("How did SWYPFT engage and listen to its staff?").themes
    assert analyse("How did Oxleas do?").themes == ()


# --- typos, filler and absent names ----------------------------------------------------------


def test_speller_mends_slips_but_not_other_words():
    vocabulary = {"respond", "first", "crisi", "lead", "work", "chris", "inspect"}
    speller = Speller(vocabulary, knows=lambda token: token in vocabulary)
    assert speller.correct("respnd") == "respond"
    assert speller.correct("frist") == "first"
    assert speller.correct("crise") == "crisi"
    assert speller.correct("leed") is None  # "leeds" is a place, not a slip for "lead"
    assert speller.correct("york") is None
    assert mend("How did leaders respnd to the inspection lol", speller) == (
        "How did leaders respond to the inspection"
    )
    assert mend("Who was the CEO, and which exec led it?", speller) == (
        "Who was the chief executive, and which executive led it?"
    )
    assert mend("What did Sheffield Health & Social Care do?", speller) == (
        "What did Sheffield Health and Social Care do?"  # the trust's name as the notes write it
    )


def test_typos_and_filler_do_not_cause_abstention(hash_settings):
    assistant = Assistant(hash_settings, embedder=HashEmbedder())
    assistant.settings.abstain_threshold = -1.0
    plain = assistant.ask("How did leaders respond to the inspection?")
    for variant in (
        "How did leaders respnd to the inspection?",
        "How did leaders respond to the frist inspection?",
        "How did leaders respond to the inspection lol",
        "How did leaders respond to the inspection asap",
    ):
        result = assistant.ask(variant)
        assert result.abstained == plain.abstained is False, variant


# --- sentences: fragments, types, referents ----------------------------------------------------


def test_fragments_are_not_quoted():
    assert is_fragment("220 staff at its June 2017 expo")
    assert is_fragment("| Improving safety | 12 |")
    assert is_fragment("Inspectors raised other problems too:")
    assert is_fragment("stop patients sleeping on lounge sofas while they waited;")
    assert is_fragment("Re-inspected and rated good overall in the spring of that year.")
    assert not is_fragment("Under Webster the trust sat at the centre of a wider partnership.")
    # present-tense verbs outside the common list still make a sentence
    assert not is_fragment("The trust's improvement culture rests on the microsystem method.")
    assert not is_fragment("Creative Minds relies on a network of voluntary partners.")
    assert not is_fragment("One HSJ report dates the joint management team to June instead.")
    assert is_fragment("Use of restraint on the forensic wards.")  # a noun, not "uses"


def test_asked_for_types_are_recognised():
    assert holds("It received £420,000 from the Health Foundation.", "figure", "money")
    assert not holds("It was founded on 26 February 2019.", "figure", "count")
    assert holds("1,715 staff took part, a 49% response rate.", "figure", "count")
    assert holds("Dr Ify Okocha had been medical director since 2009.", "person")
    assert holds("The merger was completed on 1 April 2020.", "date")


def test_referents_are_kept_verbatim_or_in_brackets():
    text = (
        "Caroline Donovan was chief executive for five years and led the work on culture "
        "across the whole trust. In April 2019 she moved to lead another trust.\n\n"
        "The trust launched a strategy in 2021.\n\n"
        "Inspectors returned. It found every concern dealt with."
    )
    sentences = {s.text: s.quote for s in split_passage(chunk(text))}
    moved = sentences["In April 2019 she moved to lead another trust."]
    assert moved.startswith("Caroline Donovan was chief executive")  # brings its referent
    assert sentences["The trust launched a strategy in 2021."] == (
        "[Oxleas] launched a strategy in 2021."
    )
    for quote in sentences.values():
        assert is_verbatim(quote, text)


def test_an_it_after_a_list_stands_for_the_trust_whose_notes_these_are():
    text = (
        "The strategy set three priorities.\n\n"
        "- quality management\n- partnership working\n\n"
        "It also introduced new values: kind, fair, listening and caring.\n\n"
        "When inspectors came back in November 2015, they found many improvements."
    )
    quotes = {s.text: s.quote for s in split_passage(chunk(text))}
    values = quotes["It also introduced new values: kind, fair, listening and caring."]
    assert values == "[Oxleas] also introduced new values: kind, fair, listening and caring."
    assert is_verbatim(values, text)
    came_back = "When inspectors came back in November 2015, they found many improvements."
    assert quotes[came_back] == came_back  # "they" are the inspectors named before it


def test_bracketed_person_when_no_sentence_before_in_the_paragraph():
    text = (
        "Caroline Donovan led the trust from 2014.\n\n"
        "In April 2019 she moved to lead Midlands Partnership after a long period of change."
    )
    quote = {s.text: s.quote for s in split_passage(chunk(text))}[
        "In April 2019 she moved to lead Midlands Partnership after a long period of change."
    ]
    assert quote == (
        "In April 2019 [Caroline Donovan] moved to lead Midlands Partnership after a long "
        "period of change."
    )
    assert is_verbatim(quote, text)
    assert not is_verbatim("In April 2019 [Caroline Donovan] resigned.", text)


def test_a_him_or_her_as_object_gets_no_name_put_in():
    text = (
        "Caroline Donovan described a board meeting.\n\n"
        "The board and the senior managers discussed it with her in public."
    )
    assert not any("[Caroline" in s.quote for s in split_passage(chunk(text)))
    joined = text.replace("\n\n", " ")  # in one paragraph: the sentence before comes along
    assert split_passage(chunk(joined))[-1].quote == joined


def test_an_organisation_is_never_taken_for_the_person_a_pronoun_means():
    text = (
        "The trust was led by a new chief executive, Jan Ditheridge. She had spent seven years "
        "leading Shropshire Community Health NHS Trust to a Good rating.\n\n"
        "She said the trust had fallen short of its own expectations and of CQC's."
    )
    quotes = quotes_of(text)
    assert (
        "[Jan Ditheridge] said the trust had fallen short of its own expectations and of CQC's."
        in quotes
    )
    assert person_names("Shropshire Community Health NHS Trust and Dr Ify Okocha") == [
        "Dr Ify Okocha"
    ]


def test_a_topic_label_is_not_what_its_stands_for():
    text = (
        "**Acquisition by Mersey Care.** The chief executive's final blog in June 2016 "
        "described a proud journey. Mersey Care then completed the acquisition of the trust. "
        "Its chief executive Joe Rafferty welcomed the joining of two Good-rated trusts."
    )
    quotes = quotes_of(text)
    welcomed = next(q for q in quotes if "welcomed" in q)
    assert "[Acquisition" not in welcomed
    assert welcomed.startswith("Mersey Care then completed the acquisition of the trust. Its")


def test_a_bare_this_as_object_brings_what_it_points_to():
    text = (
        "Improvement depends on hearing what patients say. CQC's own method reflected this, "
        "since it spoke to local patient groups about each trust."
    )
    quotes = quotes_of(text)
    assert quotes[-1] == text
    listed = "Label. Even as the rating fell, CQC found that:\n\n- staff shaped the services\n"
    assert "CQC found that: […] staff shaped the services" in split_passage(chunk(listed))[0].quote


def test_a_list_with_its_lead_in_is_one_quote():
    text = (
        "In mid-2017 Donovan reported two regional bests:\n\n"
        "- the highest dementia diagnosis rate for people over 65 in the area\n"
        "- the highest IAPT recovery rate in the NHS Midlands and East region"
    )
    quotes = quotes_of(text)
    assert len(quotes) == 1 and "[…]" in quotes[0] and "IAPT" in quotes[0]
    assert is_verbatim(quotes[0], text)


# --- provenance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (
            "https://www.cqc.org.uk/publications/evaluation/"
            "driving-improvement-case-studies-seven-mental-health-nhs-trusts",
            "CQC report 2018",
        ),
        (
            "https://www.cqc.org.uk/publications/themed-work/sustaining-improvement",
            "CQC revisit 2020",
        ),
        ("https://www.cqc.org.uk/news/releases/oxleas-rated-good", "CQC"),
        ("http://oxleas.nhs.uk/news/2017/5/rated-good/", "trust"),
        ("https://www.hsj.co.uk/some/article", "press"),
        ("https://www.bexleytimes.co.uk/news/x", "press"),
        ("https://www.kingsfund.org.uk/x", "other"),
    ],
)
def test_url_labels(url, label):
    assert url_label(url) == label


def test_provenance_without_urls_comes_from_the_document_kind():
    assert provenance([], "report-overview") == "CQC report 2018"
    assert provenance([], "pdf") == "your document"
    assert provenance(["https://www.hsj.co.uk/a", "https://cqc.org.uk/news/b"], "x") == "CQC, press"
    assert provenance([], "case-study-notes") == "notes (source not linked)"


def test_every_provenance_label_survives_merging():
    for label in ORDER:
        assert merge_labels([label]) == label
    assert merge_labels(["press, trust", "CQC"]) == "CQC, trust, press"


# --- whole answers (fake embedder: fast) ----------------------------------------------------------


@pytest.fixture
def fake_assistant(hash_settings) -> Assistant:
    assistant = Assistant(hash_settings, embedder=HashEmbedder())
    assistant.settings.abstain_threshold = -1.0
    return assistant


def test_trust_outside_the_seven_abstains_with_a_reason(fake_assistant):
    result = fake_assistant.ask("How did Devon Partnership NHS Trust improve its rating?")
    assert result.abstained and result.coverage == "none" and not result.citations
    assert "Devon Partnership NHS Trust" in result.answer
    assert result.missing and result.analysis["outside_organisations"]


def test_absent_figure_abstains(fake_assistant):
    result = fake_assistant.ask("What was Oxleas's annual income?")
    assert result.abstained and result.coverage == "none"
    assert "no figure" in result.answer


def test_two_trust_comparison_covers_both(fake_assistant):
    result = fake_assistant.ask("Compare how Oxleas and Sheffield changed governance.")
    trusts = {c.trust for c in result.citations}
    assert {OXLEAS, "Sheffield Health and Social Care NHS Foundation Trust"} <= trusts
    assert result.coverage == "full"


def test_partly_covered_question_says_what_is_missing_first(fake_assistant):
    result = fake_assistant.ask(
        "How much did LPFT get from the national fund for places of safety, and how much did "
        "Oxleas get?"
    )
    assert result.coverage == "partial" and result.missing
    assert result.answer.startswith("The documents give no figure")
    assert "Lincolnshire Partnership NHS Foundation Trust" in {c.trust for c in result.citations}


def test_every_quote_is_verbatim_and_under_its_own_trust(fake_assistant):
    for question in (
        "How did the trusts react to a poor first rating?",
        "What did Oxleas do to engage staff?",
        "Compare governance at Lincolnshire Partnership and North Staffordshire.",
    ):
        result = fake_assistant.ask(question)
        by_number = {c.n: c for c in result.citations}
        heading = None
        for line in result.answer.splitlines():
            if line.startswith("**"):
                heading = line.strip("*")
            numbers = [int(n) for n in re.findall(r"\[(\d+)\]", line)]
            for n in numbers:
                citation = by_number[n]
                assert is_verbatim(quote_of_line(line), citation.text)
                if heading and citation.trust and heading in {c.trust for c in result.citations}:
                    assert citation.trust == heading
            assert all(c.provenance for c in result.citations)


def test_all_trust_question_gives_a_line_per_trust_and_a_lead_that_counts(fake_assistant):
    result = fake_assistant.ask("How did the trusts react to a poor first rating?")
    assert re.match(r"^(All seven|\w+ of the seven) trusts have material on this", result.answer)
    cited = {c.trust for c in result.citations if c.trust}
    assert len(cited) >= 6
    from assistant._answerability import lead_line
    from assistant._extractive import Group

    nobody = [Group(t, t) for t in (OXLEAS, NSCHT)] + [Group("Across the reports", "")]
    nobody[-1].picks = ["a report-level line"]
    lead = lead_line(analyse("How many trusts were rated outstanding by 2016?"), nobody)
    assert lead.startswith("Only the report-level material")  # never " of the seven ..."


def test_false_premise_about_a_rating_is_answered_with_the_rating(fake_assistant):
    result = fake_assistant.ask("Why did North Staffordshire's rating fall in 2019?")
    assert not result.abstained and result.coverage == "partial"
    assert "Outstanding" in result.answer or "outstanding" in result.answer
    stayed = fake_assistant.ask("Why did Oxleas's rating fall in 2019?")
    assert stayed.answer.startswith("The documents do not say Oxleas's rating fell in 2019.")
    assert "incidents" not in stayed.answer  # "incidents fell" is no rating that fell
    person = fake_assistant.ask(
        "Who was medical director at Lincolnshire Partnership when it was rated good?"
    )
    assert person.abstained  # a person not named, not a premise to correct


# --- the issue's examples, with the real model ----------------------------------------------------


@pytest.mark.slow
def test_the_issue_examples_are_answered_well(real_settings):
    assistant = Assistant(real_settings)
    staff = assistant.ask("What did Oxleas do to engage staff?")
    first = quote_of_line(next(line for line in staff.answer.splitlines() if "[1]" in line))
    assert re.search(r"engag|survey", first, re.I)
    outstanding = assistant.ask("Which trust was rated outstanding?")
    assert outstanding.citations[0].trust == NSCHT
    assert assistant.ask("How did Devon Partnership NHS Trust improve its rating?").abstained
    assert assistant.ask("What was Oxleas's annual income?").abstained
    assert assistant.ask("How much did Oxleas spend on new IT systems?").abstained
    both = assistant.ask("Compare how Oxleas and South West Yorkshire engaged staff.")
    assert {OXLEAS, SWYPFT} <= {c.trust for c in both.citations}


def test_no_quote_repeats_itself_or_another(fake_assistant):
    for question in (
        "And what about Calderstones?",
        "What did the trust do after its first inspection at Calderstones?",
        "How did Sheffield Health and Social Care use microsystem coaching?",
        "How much did the Health Foundation give the Sheffield Microsystem Coaching Academy?",
    ):
        result = fake_assistant.ask(question)
        lines = [quote_of_line(line) for line in result.answer.splitlines() if "[" in line]
        for line in lines:
            sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
            plain = [re.sub(r"\[[^\]]*\]", "", s) for s in sentences]
            assert len(plain) == len(set(plain)), line
        assert len(lines) == len(set(lines))


def test_a_noun_referent_is_named_from_the_text_before():
    earlier = "SHSC is a partner in the Sheffield Microsystem Coaching Academy, with others."
    text = "The academy project was led by a hospital trust and evaluated by a university team."
    quote = split_passage(chunk(text), earlier)[0].quote
    assert quote.startswith("The academy [Sheffield Microsystem Coaching Academy] project")
    assert is_verbatim(quote, text)
    assert split_passage(chunk(text))[0:1] == []  # nothing names it: not quoted at all


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("What rating did CQC give Oxleas in 2024?", ("2024",)),
        ("what rating did oxleas get at its 2024 CQC inspection?", ("2024",)),
        ("Who was chief executive when the 2016 inspection report was published?", ()),
        ("What did Calderstones do after the 2014 inspection?", ()),
        ("How did SWYPFT do since 2018?", ()),
        ("What did CQC find when it inspected Somerset Partnership in 2013?", ("2013",)),
        ("What was Somerset's response to the rating it got in 2015?", ()),
        ("SHSC and SWYPFT fell back in 2018 - how did their paths differ after that?", ()),
        ("How did their ratings move between the first inspection and 2017?", ()),
        ("How did each fare at their next inspection after the March 2018 report?", ()),
    ],
)
def test_years_that_restrict_the_answer(question, years):
    assert analyse(question).years == years


def test_a_premise_before_a_dash_or_what_is_responded_to_only_sets_the_scene():
    premise = analyse("Both trusts fell back to requires improvement - how did they differ?")
    assert premise.condition == "fell back requires improvement"
    reply = analyse("What was Somerset's response to the requires improvement rating?")
    assert reply.condition == "requires improvement rating"


def test_an_item_label_names_the_trust_a_report_sentence_is_about():
    text = (
        "What came next for featured trusts:\n\n"
        "- NSCHT. When rated good in February 2017 it announced its next stage. CQC rated "
        "it outstanding on 28 March 2019 after long inspections.\n"
        "- The outstanding rating. CQC announced it on 28 March 2019, after two inspections."
    )
    report_chunk = dataclasses.replace(chunk(text), trust="")
    quotes = {s.text: s for s in split_passage(report_chunk)}
    rated = quotes["CQC rated it outstanding on 28 March 2019 after long inspections."]
    assert rated.quote.startswith("CQC rated [North Staffordshire Combined Healthcare] outst")
    assert rated.trust == "North Staffordshire Combined Healthcare NHS Trust"
    announced = quotes["CQC announced it on 28 March 2019, after two inspections."]
    assert announced.quote.startswith("CQC announced [the outstanding rating] on")
    assert announced.trust == ""
    for sentence in quotes.values():
        assert is_verbatim(sentence.quote, text)


def test_an_object_it_brings_the_sentence_before_it():
    text = (
        "Inspectors rated the trust outstanding in early 2019. "
        "CQC announced it on 28 March 2019, after inspections ended."
    )
    quotes = {s.text: s.quote for s in split_passage(chunk(text))}
    assert quotes["CQC announced it on 28 March 2019, after inspections ended."] == text


def test_verbs_weigh_less_when_they_are_half_the_focus():
    analysis = analyse("How do the values Oxleas adopted compare, and how were they arrived at?")
    assert set(analysis.verbs) >= {"adopted", "arrived"}
    weights = focus_weights(analysis, {"valu": 3.0, "adopt": 4.0, "arriv": 4.0})
    assert weights[frozenset({"valu"})] > weights[frozenset({"adopt"})]
    mostly_nouns = analyse("When was the merger of Somerset with its acute partner completed?")
    weights = focus_weights(
        mostly_nouns, {"merger": 2.0, "acut": 2.0, "partner": 2.0, "complet": 4.0}
    )
    assert weights[frozenset({"complet"})] == 4.0


def test_a_list_of_short_items_is_quoted_with_its_lead_in():
    text = (
        "Out-of-area placements project: working with the CCG, the trust combined three changes:\n"
        "\n- the decisions unit;\n- stronger home treatment in Boston and Lincoln;\n"
        "- bed management seven days a week."
    )
    quotes = quotes_of(text)
    assert any("seven days a week" in q and q.startswith("Out-of-area") for q in quotes)


def test_an_item_of_a_long_list_is_quoted_with_its_lead_in():
    items = [
        "the Hartsholme Centre, a 10-bed psychiatric intensive care unit for men near Lincoln",
        "a pilot decisions unit, opened in December 2017, so that fewer people went out of area",
        "Healthy Minds Lincolnshire, a wellbeing service for children run with the council",
        "a street triage car run with the police across the county, seven days a week",
        "bed management seven days a week, with a daily call between the wards and teams",
    ]
    text = "In 2017 the trust opened new services:\n\n" + "\n".join(f"- {i};" for i in items)
    quotes = {s.text: s.quote for s in split_passage(chunk(text))}
    assert quotes[items[0]] == f"In 2017 the trust opened new services: […] {items[0]}"
    assert is_verbatim(quotes[items[0]], text)
    stub = "New services in 2017:\n\n" + "\n".join(f"- {i};" for i in items)
    labelled = {s.text: s.quote for s in split_passage(chunk(stub))}
    assert items[0] not in labelled  # a label and a noun phrase: a stub, never quoted
    assert labelled[items[1]] == f"[New services in 2017:] {items[1]}"  # "opened": a verb
    assert is_verbatim(labelled[items[1]], stub)


def test_a_question_about_the_report_as_a_whole_gets_its_key_themes(fake_assistant):
    result = fake_assistant.ask("What are the key lessons from the report?")
    assert "key themes" in result.answer
    assert len(result.citations) >= 9
    assert {c.theme for c in result.citations} >= {"leadership", "culture", "governance"}


def test_a_report_question_on_a_theme_leads_with_the_reports_summary(fake_assistant):
    result = fake_assistant.ask("What does the report say about leadership?")
    first = quote_of_line(next(line for line in result.answer.splitlines() if "[1]" in line))
    assert first.startswith("Trust leaders were clear")
    for line in result.answer.split("**Report-level findings**")[-1].splitlines():
        assert not re.match(r"- At (?:NSCHT|LPFT|Oxleas)\b", line)  # trust lines go under it


def test_only_the_asking_sentences_make_the_focus():
    analysis = analyse("Did the improvements last after 2018? Board member here wanting the truth.")
    assert "board" not in analysis.focus.lower() and "last" in analysis.focus


def test_words_beyond_the_theme_must_be_near_a_sentence_on_the_theme():
    analysis = analyse("How did the trusts use data to improve governance?")
    weights = focus_weights(analysis, {"data": 3.0, "govern": 2.0, "use": 1.0, "improv": 0.1})
    assert _beyond_theme(weights, analysis.themes) == (frozenset({"data"}),)


def test_how_long_asks_for_a_duration_or_the_dates_of_both_events():
    tenure = analyse("How long was Mark Hindle chief executive at Calderstones?")
    assert (tenure.answer_type, tenure.figure_kind) == ("figure", "duration")
    assert "long" not in tenure.focus.split()
    assert holds("He had been chief executive for three years.", "figure", "duration")
    assert not holds("It had a long-term plan.", "figure", "duration")
    assert analyse("How long did it take Somerset to get to good?").answer_type == "date"


def test_sentences_are_judged_against_the_topic_not_the_trust_name():
    from assistant._analysis import topic_text

    analysis = analyse("How did Oxleas deal with out-of-area placements at Harplands Hospital?")
    assert topic_text(analysis).startswith("How did the trust deal with out-of-area placements")
    assert "Harplands Hospital" in topic_text(analysis)  # not one of the seven: kept


def test_parts_of_a_compound_weigh_little_on_their_own():
    analysis = analyse("How did trusts deal with out-of-area placements?")
    weights = focus_weights(analysis, {"outofarea": 4.0, "area": 2.0, "out": 2.0, "placement": 4.0})
    assert weights[frozenset({"area"})] < 1.0 < weights[frozenset({"outofarea"})]


def test_a_his_or_her_with_no_name_before_it_gets_its_person():
    text = (
        "Dr Nick Broughton led the trust from 2012.\n\n"
        "In a November 2018 interview about his work elsewhere, he described a cultural change."
    )
    quote = split_passage(chunk(text))[-1].quote
    assert "[Dr Nick Broughton's] work" in quote
    assert is_verbatim(quote, text)


def test_what_went_wrong_finds_problems_and_concerns():
    analysis = analyse("What went wrong at Sheffield after the report came out?")
    weights = focus_weights(analysis, {"wrong": 3.0, "problem": 2.0, "concern": 2.0})
    assert any({"problem", "concern"} <= forms for forms in weights)


def test_a_capitalised_name_or_including_is_no_verb():
    assert is_fragment("West Drive units, including a pre-discharge ward and an autism service")
    assert not is_fragment("Drive times fell sharply after the new rota was agreed.")


@pytest.mark.parametrize(
    ("question", "since"),
    [
        ("Did the improvements last after 2018?", 2018),
        ("What happened at Oxleas after the report came out?", 2018),
        ("How did Sheffield respond after CQC rated it inadequate in 2020?", 2020),
        ("What did Oxleas do after its 2016 inspection?", 2016),
        ("How did Lincs fare after the March 2018 report?", 2018),
        ("How did SWYPFT do in 2019?", 0),
        ("What did Oxleas do to engage staff?", 0),
    ],
)
def test_the_year_an_after_question_starts_from(question, since):
    assert analyse(question).since == since


def test_whose_words_a_question_asks_for():
    assert (
        analyse("What did staff at North Staffordshire say about the culture?").speaker == "staff"
    )
    assert analyse("How did patients at Somerset feel about their care?").speaker == "patients"
    assert analyse("What did inspectors say about Oxleas in 2017?").speaker == "inspectors"
    assert analyse("What did Oxleas do to engage staff?").speaker == ""
    assert spoken_by("In 2019 staff generally told inspectors they felt valued.", "staff")
    assert not spoken_by("Inspectors saw many instances of staff being kind.", "staff")
    assert spoken_by("Inspectors saw many instances of staff being kind.", "inspectors")
    assert spoken_by("In 2016 CQC found very positive feedback from patients.", "inspectors")
    assert spoken_by("Most patients interviewed said they were happy.", "patients")


def test_an_answer_without_the_speakers_words_says_so_first(fake_assistant):
    for question in (
        "What did staff at North Staffordshire say about the culture change?",
        "What did carers at Calderstones say about the trust?",
    ):
        result = fake_assistant.ask(question)
        quotes = [q for c in result.citations for q in c.quotes]
        speaker = result.analysis["speaker"]
        if not result.abstained and not any(spoken_by(q, speaker) for q in quotes):
            assert result.answer.startswith(f"The documents do not quote {speaker}")
            assert result.coverage == "partial"


def test_a_pronoun_that_points_forward_to_a_name_is_left_alone():
    text = (
        "Peter Axon became chief executive in 2019. In her June 2017 blog Caroline Donovan "
        "said she had signed off the annual report on behalf of staff."
    )
    quotes = quotes_of(text)
    assert quotes[-1] == (
        "In her June 2017 blog Caroline Donovan said she had signed off the annual report on "
        "behalf of staff."
    )


def test_a_one_word_topic_label_does_not_stand_for_it():
    text = (
        "**Background.** The 2018 report told how the trust moved from requires improvement "
        "to good. It then kept that improvement and reached outstanding."
    )
    quotes = quotes_of(text)
    assert not any("[Background]" in q for q in quotes)


def test_lincs_is_lincolnshire():
    assert analyse("how did lincs partnership change its board after 2015").trusts == (
        "Lincolnshire Partnership NHS Foundation Trust",
    )


def test_a_pronoun_after_someone_it_may_mean_is_left_alone():
    text = (
        "Caroline Donovan was chief executive. In a blog, Donovan described a board meeting "
        "where the mother of a service user spoke about how hard it had been to get treatment "
        "for her son."
    )
    quotes = quotes_of(text)
    assert not any("[Caroline Donovan" in q for q in quotes)
    opens_with_the_speaker = (
        "Dr Paul Lelliott said a new model had been introduced. The trust ranked highly.\n\n"
        "Hindle said he had spoken with about 600 staff about the trust's future."
    )
    assert "Hindle said he had spoken with about 600 staff about the trust's future." in (
        quotes_of(opens_with_the_speaker)
    )


def test_a_question_only_naming_trusts_gets_each_trusts_overview(fake_assistant):
    result = fake_assistant.ask("What do Lincolnshire Partnership and Calderstones have in common?")
    sections = {(c.trust.split()[0], c.section) for c in result.citations}
    assert ("Lincolnshire", "Overview") in sections and ("Calderstones", "Overview") in sections
    assert "these notes" not in result.answer.lower()


@pytest.mark.parametrize(
    ("sentence", "gives"),
    [
        ("On 28 March 2019 CQC rated the trust Outstanding overall.", True),
        ("CQC rated [North Staffordshire Combined Healthcare] outstanding on 28 March 2019.", True),
        ("Reports rated [Sheffield] requires improvement overall.", False),  # not the rating asked
        ("Forensic inpatient services were rated Outstanding.", False),
        ("In 2019 CQC rated the trust Outstanding for both caring and responsive.", False),
        ("The trust was rated good overall with some outstanding ratings for services.", False),
    ],
)
def test_a_sentence_gives_a_trust_its_overall_rating(sentence, gives):
    from assistant._extractive import gives_rating

    assert gives_rating(sentence, "outstanding") is gives


def test_the_overall_rating_a_question_asks_about():
    from assistant._extractive import asked_rating

    assert asked_rating(analyse("Which trust was rated outstanding?")) == "outstanding"
    assert asked_rating(analyse("Which trusts were rated outstanding for caring?")) == ""
    assert asked_rating(analyse("What did Oxleas do to engage staff?")) == ""


def test_a_short_follow_up_that_points_back_takes_the_previous_question():
    assert condense("When was that?", ["Which trust was rated outstanding?"]) == (
        "When was that: Which trust was rated outstanding?"
    )
    assert condense("Who led it then?", ["When was that?", "Which trust was rated outstanding?"])


def test_a_chair_question_finds_the_chairman(fake_assistant):
    from assistant._analysis import same_meaning

    assert "chairman" in same_meaning()["chair"]
    result = fake_assistant.ask("Who chaired Somerset Partnership?")
    assert "Stephen Ladyman" in result.answer


def test_how_long_did_it_take_asks_for_time_not_for_taking():
    assert analyse("How long did it take South West Yorkshire to get back to good?").focus == (
        "back good"
    )
    assert "take" in analyse("What action did Oxleas take after 2016?").focus


def test_who_is_asking_is_not_what_is_asked(fake_assistant):
    question = "I'm new to QI - what's the single biggest thing these trusts did differently?"
    assert analyse(question).focus == "single biggest thing"
    assert analyse("Both fell back to requires improvement - how did they differ?").focus == (
        "fell back requires improvement"
    )
    result = fake_assistant.ask(question)
    assert result.answer.startswith("From the documents:")
    assert "The report's key themes" in result.answer


def test_a_what_did_they_do_answer_includes_something_done():
    from assistant._extractive import Scored, _with_an_action

    def scored(text: str, score: float) -> Scored:
        return Scored(split_passage(chunk(text))[0], 1.0, 1.0, score)

    found = scored("In 2014 CQC found frequent face-down restraint on the wards.", 1.0)
    press = scored("Local coverage reported that restraint was common on the wards.", 0.9)
    done = scored(
        "The trust launched a restraint-reduction programme called Positive and Safe.", 0.6
    )
    weak = scored("The trust introduced a new menu for the staff canteen in the summer.", 0.3)
    assert _with_an_action([found, press], [found, press, done]) == [done, found]  # it leads
    assert _with_an_action([found, press], [found, press, weak]) == [found, press]  # too weak
    assert _with_an_action([found, done], [found, done]) == [done, found]
    assert analyse("what did calderstones do about face down restraint").action
    assert not analyse("What did CQC find at Calderstones in 2014?").action


def test_a_name_may_hold_into_to_and_for_but_not_join_two_trusts():
    assert analyse("Which trust introduced a Listening into Action programme?").names == (
        "Listening into Action",
    )
    assert analyse("Did Oxleas have a Freedom to Speak Up guardian?").names == (
        "Freedom to Speak Up",
    )
    assert analyse("Compare Oxleas to Somerset on culture").names == ()
    beds = analyse("How many beds did the Hartsholme Centre in Lincoln have?")
    named = [*beds.names, *(org.name for org in beds.organisations)]
    assert named and not any(" in " in name for name in named)


def test_the_distinctive_word_is_topical_and_seen_in_more_than_one_passage(fake_assistant):
    fake_assistant.open()
    composer = fake_assistant._composer
    idf = {"recruit": 2.5, "user": 2.4, "servic": 0.7, "statement": 4.8, "vision": 2.8}
    composer.idf = idf

    def distinctive(question: str) -> frozenset[str]:
        analysis = analyse(question)
        return composer._distinctive(focus_weights(analysis, idf), analysis)

    assert distinctive("How did Oxleas involve service users in recruitment?") == {"recruit"}
    assert distinctive("What is Oxleas's vision statement?") == {"vision"}  # framing, once-only
    assert distinctive("How did Oxleas recruit?") == set()  # one word: nothing stands out
    assert distinctive("How did Oxleas recruit service users?") == {"user"}  # not the verb


@pytest.mark.slow
def test_a_topic_the_documents_do_not_hold_is_not_answered_from_its_neighbours(real_settings):
    assistant = Assistant(real_settings)
    one = assistant.ask("How did South West Yorkshire involve service users in recruitment?")
    assert one.abstained and one.coverage == "none" and not one.citations
    # "car park" is not "Musgrove Park Hospital": a word found only inside a name is no topic
    every = assistant.ask("How did the trusts manage car parking for visitors?")
    assert every.abstained and "for any of the seven trusts" in every.answer
    named = assistant.ask("Which trust introduced a Listening into Action programme?")
    assert named.abstained and "Listening into Action" in named.answer
    for answerable in (
        "How did Lincolnshire Partnership measure staff morale?",  # no "morale", close in meaning
        "How did Oxleas cut aggression on its forensic ward?",
        "Calderstones vs North Staffordshire: how did their chief executives lead the turnaround?",
    ):
        assert not assistant.ask(answerable).abstained, answerable


@pytest.mark.parametrize(
    ("question", "succession", "who"),
    [
        ("who took over as chief exec at oxleas after ben travis", "after", "ben travis"),
        ("Who succeeded Caroline Donovan at North Staffordshire?", "after", "caroline donovan"),
        ("Who was Caroline Donovan's predecessor?", "before", "caroline donovan"),
        ("Who was chief executive of Sheffield before Jan Ditheridge?", "before", "jan ditheridge"),
        ("Who led Oxleas after the 2016 inspection?", "", ""),
        ("What did Oxleas do after Ben Travis arrived?", "", ""),  # not a "who" question
    ],
)
def test_who_came_after_or_before_someone(question, succession, who):
    analysis = analyse(question)
    assert (analysis.succession, analysis.successor_of) == (succession, who)


def test_a_successor_is_someone_else_placed_after_in_the_same_trust():
    from assistant._extractive import _Asked, _in_succession

    asked = _Asked.of(
        analyse("Who took over after Ben Travis?"), {}, frozenset(), "travis", (2015,), (OXLEAS,)
    )

    def answers(text: str, trust: str = OXLEAS, succession: str = "after") -> bool | None:
        return _in_succession(split_passage(chunk(text, trust))[0], asked, succession)

    assert answers("By February 2019 Matthew Trainer was chief executive.")
    assert not answers("Stephen Firn, the previous chief executive, retired in spring 2016.")
    assert answers(
        "Stephen Firn, the previous chief executive, retired in 2016.", succession="before"
    )
    assert not answers("By February 2019 Matthew Trainer was chief executive.", trust=NSCHT)
    assert not answers("Ben Travis became chief executive in 2016.")  # nobody else named
    assert not answers(
        "Chris Bird, a director, praised former chief executive Ben Travis.", succession="before"
    )


@pytest.mark.slow
def test_who_took_over_names_the_successor_or_says_the_documents_do_not(real_settings):
    assistant = Assistant(real_settings)
    after = assistant.ask("who took over as chief exec at oxleas after ben travis")
    assert "Matthew Trainer" in after.answer and "Stephen Firn" not in after.answer
    before = assistant.ask("Who was chief executive at Oxleas before Ben Travis?")
    assert "Stephen Firn" in before.answer
    assert (
        "Peter Axon"
        in assistant.ask("Who succeeded Caroline Donovan at North Staffordshire?").answer
    )
    unnamed = assistant.ask("Who replaced Mark Hindle?")
    assert unnamed.abstained and "do not name" in unnamed.answer


def test_the_reports_theme_summary_is_quoted_once_without_the_pages_dates(fake_assistant):
    result = fake_assistant.ask(
        "How did the trusts see the next step on their improvement journey?"
    )
    assert "CQC's summary of the theme" in result.answer
    assert result.answer.count("Good is not enough for the featured trusts.") == 1
    assert "Last updated" not in result.answer


def test_a_sentence_saying_it_is_about_another_organisation_stays_out():
    from assistant._extractive import _elsewhere

    somerset = "Somerset Partnership NHS Foundation Trust"
    text = "In a 2018 interview about his work at Southern Health (not Somerset), he spoke."
    assert _elsewhere(text, somerset)
    assert not _elsewhere("Somerset (not Oxleas) was first.", somerset)
    assert not _elsewhere(text, "")


def test_these_two_is_not_quoted_without_the_people_it_means():
    text = (
        "Andy Trotter was chair of the board from 2015. Its May 2017 announcement quoted these "
        "two and nobody else."
    )
    assert quotes_of(text) == ["Andy Trotter was chair of the board from 2015."]
    assert quotes_of("Oxleas said these two services had improved by 2017.")


def test_a_sentence_looking_back_from_the_year_asked_can_speak_for_it():
    from assistant._extractive import Scored, _in_years

    paragraph = (
        "In 2020 the trust was rated inadequate. CQC found a fall in quality and many 2018 issues "
        "still unresolved. In 2022 the trust left special measures."
    )
    first, looking_back, later = split_passage(chunk(paragraph))
    assert _in_years(Scored(looking_back, 0.6, 0.6, 1.0), ["2020"])
    assert not _in_years(Scored(looking_back, 0.6, 0.6, 1.0), ["2016"])
    assert not _in_years(Scored(later, 0.6, 0.6, 1.0), ["2020"])
    paragraph = (
        "Andy Trotter said he would step down in 2024. The May 2017 announcement quoted him. "
        "Okocha thanked colleagues for keeping the rating."
    )
    thanks = split_passage(chunk(paragraph))[-1]
    assert _in_years(Scored(thanks, 0.6, 0.6, 1.0), ["2017"])
    assert not _in_years(Scored(thanks, 0.6, 0.6, 1.0), ["2024"])  # 2017 came between


def test_the_notes_speaking_of_themselves_are_never_quoted(fake_assistant):
    result = fake_assistant.ask("Compare the leadership at Oxleas, Lincolnshire and Sheffield.")
    assert "The sources found" not in result.answer
    assert "quoted these two" not in result.answer


def test_a_surname_saying_something_is_a_person_answer():
    said = "Looking back, Hindle described the board's experience as deeply painful."
    assert holds(said, "person")
    assert not holds("Looking back, the board described it as painful.", "person")
    assert not holds("Looking back, Hindle described it.", "person", asked=frozenset({"hindle"}))


def test_a_name_the_documents_give_only_for_another_organisation_is_not_covered(fake_assistant):
    result = fake_assistant.ask("Did Somerset Partnership join the Vital Signs programme?")
    assert result.abstained and "Vital Signs for Somerset Partnership" in result.answer
    named = fake_assistant.ask("Did Sheffield use the Microsystem Coaching Academy?")
    assert not named.abstained


@pytest.mark.slow
def test_words_that_differ_from_the_documents_still_find_the_answer(real_settings):
    assistant = Assistant(real_settings)
    successor = assistant.ask(
        "Who succeeded Steven Michael as chief executive of South West Yorkshire Partnership?"
    )
    assert "Rob Webster" in successor.answer  # "took over", in a paragraph on chief executives
    published = assistant.ask("When was CQC's Driving improvement report published?")
    assert "15 March 2018" in published.answer.split("\n\n", 2)[1]  # "released": first group
    painful = assistant.ask(
        "Who described the old Calderstones board experience as deeply painful?"
    )
    assert "Hindle described" in painful.answer


def test_a_rating_question_is_answered_by_ratings_after_the_range_starts(fake_assistant):
    from assistant._extractive import _about_ratings

    assert _about_ratings(analyse("Which of the featured trusts slipped back after the report?"))
    assert _about_ratings(analyse("Did Oxleas see its overall CQC rating drop after 2018?"))
    assert not _about_ratings(analyse("Why did Sheffield's rating fall to inadequate in 2020?"))
    assert not _about_ratings(analyse("Which trusts did CQC go back to in 2020?"))
    assert _about_ratings(analyse("Did Sheffield and SWYPFT both lose their Good rating?"))
    assert _about_ratings(analyse("How did Oxleas's ratings change between 2016 and 2019?"))
    assert _about_ratings(analyse("How did NSCHT fare at its next inspection?"))
    assert not _about_ratings(analyse("How did NSCHT change its culture?"))
    assert _about_ratings(analyse("How did Sheffield and SWYPFT fare on their CQC ratings?"))
    assert _about_ratings(analyse("What happened to Sheffield's ratings after the report?"))
    result = fake_assistant.ask("What happened to Calderstones after 2018?")
    assert result.abstained
    assert "The documents hold nothing dated after 2018 for Calderstones" in result.answer


def test_list_items_whose_lead_in_ended_the_passage_before_are_quoted_with_it():
    items = (
        "- a Programme Director appointed to lead 'Positive and Safe', cutting restraint\n"
        "- closure of Chestnut Drive in January 2015"
    )
    earlier = "Hindle accepted the findings.\n\nThe yearbook lists a programme of work in response:"
    quotes = [s.quote for s in split_passage(chunk(items), earlier)]
    assert quotes[0] == (
        "[The yearbook lists a programme of work in response:] a Programme Director appointed "
        "to lead 'Positive and Safe', cutting restraint"
    )
    long_lead_in = "Some page describes the trust as caring for adults in many secure services:"
    assert not split_passage(chunk(items), "x\n\n" + long_lead_in * 2)  # a bracket is a label
    assert not split_passage(chunk(items), "x\n\nHe pointed to early gains:")  # would dangle


def test_a_follow_up_keeps_the_rating_it_means_and_a_dummy_it_is_no_trust():
    held = condense(
        "Did they manage to hold on to that rating?",
        ["When was Sheffield Health and Social Care upgraded to good?"],
    )
    assert held == (
        "Did Sheffield Health and Social Care NHS Foundation Trust manage to hold on to its good "
        "rating?"
    )
    took = condense("How long did it take them to get to good?", ["Tell me about Oxleas."])
    assert took == "How long did it take Oxleas NHS Foundation Trust to get to good?"


def test_a_compare_follow_up_asks_the_previous_question_for_both_trusts():
    standalone = condense(
        "how does that compare with sheffield?",
        ["Tell me about staff engagement at Lincolnshire Partnership"],
    )
    assert standalone == (
        "Tell me about staff engagement at Lincolnshire Partnership NHS Foundation Trust and "
        "Sheffield Health and Social Care NHS Foundation Trust"
    )
    assert analyse(standalone).scope == "named_trusts"


def test_two_full_trust_names_joined_by_and_are_two_trusts_even_with_an_inner_and():
    both = analyse(
        "How did Lincolnshire Partnership NHS Foundation Trust and Sheffield Health and Social "
        "Care NHS Foundation Trust engage staff?"
    )
    assert both.trusts == (
        "Lincolnshire Partnership NHS Foundation Trust",
        "Sheffield Health and Social Care NHS Foundation Trust",
    )
    assert not both.outside
    assert analyse("How did Leeds and York Partnership NHS Foundation Trust improve?").outside


def test_a_near_miss_answer_shows_its_closest_material_itself_uncited(fake_assistant):
    result = fake_assistant.ask("What was Oxleas's annual income?")
    assert result.abstained and not result.citations
    head, closest = result.answer.split("\n\nClosest material (not an answer):\n")
    assert "no figure" in head and "listed below" not in result.answer
    assert closest.count("\n- ") + 1 == len(result.closest) and not re.search(r"\[\d+\]", closest)


def test_a_pronoun_subject_after_an_opening_clause_brings_its_referent():
    text = (
        "The trust took the 2016 result as a springboard. On the day the Good rating was "
        "published, it launched the next stage under the name 'Towards Outstanding'."
    )
    assert quotes_of(text)[-1] == (
        "[Oxleas] took the 2016 result as a springboard. On the day the Good rating was "
        "published, it launched the next stage under the name 'Towards Outstanding'."
    )
    assert quotes_of("On the ward, its staff were kind to patients every day.")  # "its": no


def test_a_sentence_announcing_the_next_brings_it_along(fake_assistant):
    from assistant._extractive import Scored

    text = (
        "In a March 2017 blog the chief executive set out what 'Towards Outstanding' meant in "
        "practice. It rested on four quality priorities: safe, personalised and accessible care."
    )
    announce = split_passage(chunk(text, id="test:announce"))[0]
    fake_assistant.open()
    longer = fake_assistant._composer._with_elaboration(Scored(announce, 1, 1, 1), [])
    assert longer.sentence.quote.endswith("safe, personalised and accessible care.")


def test_a_response_is_what_the_trust_said_or_did_not_what_cqc_found():
    from assistant._extractive import _responded

    assert _responded("Chief executive Mark Hindle accepted the findings in public.")
    assert _responded("The trust later described its response as an 18-month programme.")
    assert not _responded("CQC found the trust had responded well to the changes requested.")
    assert not _responded("The 2016 inspection found wards under heavy bed pressure.")


@pytest.mark.slow
def test_how_a_trust_responded_leads_with_its_response(real_settings):
    answer = Assistant(real_settings).ask("How did Oxleas respond to its 2016 rating?").answer
    first = quote_of_line(next(line for line in answer.splitlines() if "[1]" in line))
    assert first.startswith("Ben Travis was chief executive when the report came out.")


def test_a_trust_the_documents_mention_only_in_passing_is_not_answered_as_a_subject(
    fake_assistant,
):
    result = fake_assistant.ask(
        "Was Norfolk and Suffolk NHS Foundation Trust one of the trusts, and how did it improve?"
    )
    assert result.abstained and "mention it only in passing" in result.answer
    hospital = fake_assistant.ask("How was the Outstanding rating marked at Harplands Hospital?")
    assert "only in passing" not in hospital.answer  # a site of a trust, not a trust


def test_who_is_asking_is_no_name():
    question = "I'm the QI lead at a trust with bed pressures. How did Oxleas stop sofa sleeping?"
    assert analyse(question).names == ()


def test_a_span_of_years_is_no_name_and_a_month_abbreviation_no_topic(fake_assistant):
    question = (
        "After their 2016-2017 re-inspections, which key question was not rated good at LPFT?"
    )
    assert "do not mention 2016-2017" not in fake_assistant.ask(question).answer
    assert "feb" not in analyse("how many staff filled in the survey published in feb 2019").focus


def test_a_question_for_the_name_of_a_programme_wants_a_named_thing():
    assert analyse(
        "What was the name of Sheffield's improvement programme in 2020?"
    ).answer_type == ("organisation")
    assert (
        analyse("What did North Staffordshire call the next stage?").answer_type == "organisation"
    )
    assert analyse("What was the name of the chief executive?").answer_type == "person"
    assert holds("During the Back to Good programme the trust met monthly.", "organisation")
    assert holds("It launched the next stage as 'Towards Outstanding'.", "organisation")
    assert not holds("The trust met monthly to review actions.", "organisation")


def test_who_wants_to_know_is_not_what_is_asked():
    question = (
        "my board wants to know whether any of these trusts went backwards after being praised"
        " - which ones and when?"
    )
    assert analyse(question).focus.split()[0] == "backwards"
    from assistant._extractive import _WENT_DOWN

    assert _WENT_DOWN.search("Reports published 5 October 2018 rated it requires improvement.")
    assert not _WENT_DOWN.search("In 2019 CQC rated the trust outstanding overall.")


def test_a_comma_list_of_trusts_is_the_trusts_not_one_organisation():
    listed = analyse(
        "Which of Oxleas, South West Yorkshire Partnership and Sheffield Health and Social Care "
        "held on to a good rating?"
    )
    assert len(listed.trusts) == 3 and not listed.outside
    named = analyse("What did CQC say about Northumberland, Tyne and Wear NHS Foundation Trust?")
    assert named.outside and not named.trusts  # a comma inside another organisation's name


def test_a_place_only_one_trusts_notes_name_makes_the_question_that_trusts(fake_assistant):
    beds = fake_assistant.ask("How many beds does Harplands Hospital have?")
    assert beds.abstained and beds.analysis["trusts"] == [NSCHT]
    assert beds.answer.startswith("The documents give no figure for “beds at Harplands Hospital”")
    after = fake_assistant.ask("What happened at Harplands Hospital after the outstanding rating?")
    assert not after.abstained and {c.trust for c in after.citations} == {NSCHT}
    assert "Harplands" in after.answer


def test_how_many_holds_the_answer_to_the_thing_counted():
    assert _counted("How many beds does Musgrove Park Hospital have?") == {"bed"}
    assert _counted("How many Oxleas staff answered the survey?") == {"staff"}
    assert _counted("How many core services were rated good?") == {"servic"}
    people = _counted("How many people took part?")  # people are counted in many words
    assert {"staff", "patient", "member", "volunt"} <= people and "partner" not in people


def test_a_sentence_gives_a_rating_only_with_rating_words_by_it():
    from assistant._extractive import _GIVES_RATING

    assert _GIVES_RATING.search("2018 inspection: rated Requires Improvement overall again.")
    assert _GIVES_RATING.search("April 2016 comprehensive inspection: requires improvement.")
    assert _GIVES_RATING.search("The service rose from requires improvement to good.")
    assert not _GIVES_RATING.search("Staff worked hard to provide good and outstanding care.")


@pytest.mark.slow
def test_their_next_inspection_after_the_report_is_the_first_one_after_it(real_settings):
    result = Assistant(real_settings).ask(
        "How did Sheffield Health and Social Care fare at its next inspection after the "
        "March 2018 report?"
    )
    first = quote_of_line(result.answer.split("\n- ", 1)[1].split("\n")[0])
    assert "Requires Improvement overall again" in first
    assert "Driving improvement" not in result.answer  # being in the report is not after it


def test_the_rating_a_which_trusts_question_asks_for_is_the_one_they_went_to():
    from assistant._extractive import asked_rating

    slipped = analyse("Which trusts slipped back to requires improvement after being rated good?")
    assert asked_rating(slipped) == "requires improvement"
    assert asked_rating(analyse("Which trust was rated outstanding?")) == "outstanding"
    from assistant._extractive import _rating_sought, gives_rating

    fell = _rating_sought(analyse("Which trusts saw their overall rating fall in 2018?"))
    assert gives_rating("2018 inspection: rated Requires Improvement overall again.", fell)
    assert not gives_rating("Even as the overall rating fell, CQC found that staff ...", fell)


def test_where_a_trust_is_and_whom_it_serves_comes_from_its_overview(fake_assistant):
    each = fake_assistant.ask(
        "Where is each of the seven trusts based, and what area does each serve?"
    )
    assert {c.trust for c in each.citations} >= {OXLEAS, NSCHT, SWYPFT}
    assert "Whalley" in each.answer and "case studies" not in each.answer
    oxleas = fake_assistant.ask("What area does Oxleas serve?")
    assert "south-east London" in oxleas.answer


def test_words_joined_by_or_are_one_group_either_answers():
    from assistant._extractive import _with_alternatives

    takeover, merger = frozenset({"takeov"}), frozenset({"merger"})
    separate = frozenset({"separ", "merger"})  # "separate" is read as "merger" too
    weights = {separate: 2.0, takeover: 4.0, merger: 3.0}
    own = {"takeov": takeover, "merger": merger, "separ": separate}
    question = "Which were lost through takeover or merger?"
    joined = _with_alternatives(dict(weights), own, question)
    assert joined == {takeover | merger: 4.0, separate: 2.0}  # merger's own group, whatever order
    assert _with_alternatives(dict(weights), own, "takeover and merger") == weights


def test_a_quote_with_the_sentence_leaning_on_it_replaces_the_shorter_one():
    from assistant._extractive import _continues

    text = (
        "Councillors heard the service had been transformed by its staff. That service's "
        "well-led rating rose from inadequate to outstanding."
    )
    short, joined = split_passage(chunk(text))
    assert _continues(joined, short) and not _continues(short, joined)


def test_a_figure_question_asked_with_a_verb_finds_the_noun_and_units_of_time_are_loose():
    from assistant._extractive import _counted

    assert not _counted("How many weeks were people waiting?")  # "22 months" answers it
    staff = analyse("How many Oxleas staff responded to the 2019 staff survey?")
    assert "staff" not in staff.verbs and "survey" not in staff.verbs
    weights = focus_weights(staff, {"respond": 2.0, "respons": 1.5, "staff": 0.5, "survey": 1.0})
    assert any({"respond", "respons"} <= group for group in weights)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who led Calderstones' turnaround and what was the outcome at the 2016 inspection?",
            ["Who led Calderstones' turnaround?", "what was the outcome at the 2016 inspection?"],
        ),
        ("How and why did it change?", ["How and why did it change?"]),
        ("Compare Oxleas and Somerset.", ["Compare Oxleas and Somerset."]),
        (
            "Did it last after 2018? Board member here wanting the honest picture.",
            ["Did it last after 2018? Board member here wanting the honest picture."],
        ),
    ],
)
def test_the_parts_of_a_two_part_question(question, parts):
    from assistant._analysis import question_parts

    assert question_parts(question) == parts


def test_a_second_part_that_leans_on_the_first_is_answered_with_it():
    from assistant._assistant import _stands_alone

    whole = analyse("Who described the old board as painful, and what did they say about it?")
    assert not _stands_alone(analyse("what did they say about it?"), whole)
    outcome = analyse("what was the outcome at the 2016 inspection?")
    assert _stands_alone(outcome, analyse("Who led Calderstones' turnaround?"))
    report = analyse("When was the Driving improvement report published?")
    assert _stands_alone(analyse("who did CQC interview for it?"), report)


@pytest.mark.slow
def test_a_two_part_question_answers_both_parts(real_settings):
    result = Assistant(real_settings).ask(
        "When was the Driving improvement report published and who did CQC interview for it?"
    )
    assert "15 March 2018" in result.answer and "interviewed" in result.answer


def test_the_chief_executive_is_named_only_from_a_name_written_next_to_the_role():
    named = (
        "Rob Webster, chief executive, met staff.\n\n"
        "The chief executive's habit of meeting every new starter was noted."
    )
    quotes = {s.text: s.quote for s in split_passage(chunk(named))}
    habit = quotes["The chief executive's habit of meeting every new starter was noted."]
    assert habit.startswith("The chief executive's [Rob Webster's] habit")
    assert is_verbatim(habit, named)
    unnamed = (
        "Ben Jones spoke to the board about the plan.\n\n"
        "The chief executive's habit of meeting starters was noted."
    )
    quoted = [s.quote for s in split_passage(chunk(unnamed))]
    assert quoted == ["Ben Jones spoke to the board about the plan."]  # Jones may not be it


def test_a_true_rating_premise_is_never_corrected(fake_assistant):
    good = fake_assistant.ask("When was Calderstones rated good?")
    assert not good.answer.startswith("The documents do not say")
    assert "9 February 2016" in good.answer  # "rated the trust Good for safe, effective, ..."


def test_each_compared_trust_keeps_its_own_year():
    from assistant._analysis import years_by_trust

    own = years_by_trust(
        analyse("Compare staff survey results at Oxleas (2019) and Calderstones (2014-15)")
    )
    assert own == {OXLEAS: ("2019",), "Calderstones Partnership NHS Foundation Trust": ("2014",)}
    assert years_by_trust(analyse("Compare Oxleas and Calderstones in 2017")) == {}


def test_has_any_trust_been_rated_asks_which_trusts_and_lists_only_those_rated(fake_assistant):
    assert analyse("Has any of the seven trusts been rated outstanding overall?").answer_type == (
        "trust"
    )
    result = fake_assistant.ask("Has any of the seven trusts been rated outstanding overall?")
    assert {c.trust for c in result.citations if c.trust} == {NSCHT}


def test_a_pronoun_after_a_name_in_the_same_part_does_not_lean_on_the_first_part():
    from assistant._assistant import _stands_alone

    whole = analyse("Who was Oxleas's chief executive in 2016?")
    assert _stands_alone(analyse("where did Matthew Trainer go when he left?"), whole)


def test_a_trusts_short_form_is_spelled_out_for_search_and_both_opens_no_name():
    from assistant._retrieval import spelled_out

    assert spelled_out("how did lincs cut out-of-area placements") == (
        "how did Lincolnshire Partnership cut out-of-area placements"
    )
    assert spelled_out("SWYPFT and NSCHT") == (
        "South West Yorkshire Partnership and North Staffordshire Combined Healthcare"
    )
    both = analyse("Both Sheffield and South West Yorkshire Partnership fell back. Why?")
    assert len(both.trusts) == 2 and not both.outside


def test_a_person_in_post_across_the_year_asked_is_in_it(fake_assistant):
    result = fake_assistant.ask("Who was chair of Oxleas in 2017?")
    assert "Andy Trotter" in result.answer  # joined in 2015, stepped down in 2024


@pytest.mark.slow
def test_a_rating_journey_is_told_in_time_order(real_settings):
    result = Assistant(real_settings).ask("How did Oxleas's ratings change over time?")
    years = [int(y) for y in re.findall(r"^- \D*?((?:19|20)\d\d)", result.answer, re.M)]
    assert years == sorted(years) and len(years) >= 2


def test_one_unknown_word_in_a_short_question_about_a_trust_does_not_abstain(fake_assistant):
    merged = fake_assistant.ask("Did Calderstones and Somerset both merge into bigger trusts?")
    assert not merged.abstained  # "bigger" is no word of the documents, "merge" is
    assert fake_assistant.ask("What is Oxleas's policy on electric scooters?").abstained


def test_review_findings_role_names_ranges_counts_and_falls():
    from assistant._analysis import _hard_years, years_by_trust
    from assistant._extractive import _counted, says_rating_fell

    became = (
        "In 2016 the board appointed Rob Webster as chief executive.\n\n"
        "The chief executive's habit of meeting starters was noted by the press."
    )
    quotes = [s.quote for s in split_passage(chunk(became))]
    assert quotes[1].startswith("The chief executive's [Rob Webster's] habit")  # the name only
    assert _hard_years("What was the difference between Oxleas and Calderstones in 2019?") == (
        "2019",
    )
    assert years_by_trust(analyse("Compare Oxleas since 2018 and Calderstones in 2015")) == {}
    assert not _counted("How many did Oxleas have?")
    assert not _counted("How many responded to the survey?")
    assert analyse("Did Oxleas have any trust board changes?").answer_type != "trust"
    assert not says_rating_fell("Incidents fell overall and staff rated the good culture highly.")


@pytest.mark.slow
def test_a_theme_asked_of_every_trust_gets_each_trusts_section(real_settings):
    """'What role did X play' frames the theme; each trust's section on it answers."""
    result = Assistant(real_settings).ask(
        "what role did staff engagement play in the trusts getting better"
    )
    assert result.coverage == "full" and len({c.trust for c in result.citations} - {""}) >= 7


@pytest.mark.slow
def test_all_trust_lines_must_be_near_the_topic_not_the_frame(real_settings):
    """'How did the trusts handle X' is close to any line on how a trust did anything."""
    assistant = Assistant(real_settings)
    food = assistant.ask("How did the trusts handle hospital food and catering?")
    assert {c.trust for c in food.citations} == {"Calderstones Partnership NHS Foundation Trust"}
    police = assistant.ask("How did Oxleas work with the police on crises?")
    assert "Metropolitan Police" in police.answer  # a name's last word says what it is


@pytest.mark.slow
def test_what_the_trusts_did_gives_a_trust_its_second_example(real_settings):
    """One line per trust leaves out a trust's second example; 'which trust' keeps to one."""
    assistant = Assistant(real_settings)
    ligature = assistant.ask("What did the trusts do about ligature points?").answer
    lincolnshire = ligature.split("**Lincolnshire Partnership NHS Foundation Trust**")[1]
    lincolnshire = lincolnshire.split("\n\n")[0]
    assert lincolnshire.count("\n- ") == 2 and "heat map" in lincolnshire
    outstanding = assistant.ask("Which trusts were rated outstanding?").answer
    nscht = outstanding.split(f"**{NSCHT}**")[1].split("\n\n")[0]
    assert nscht.count("\n- ") == 1


@pytest.mark.slow
def test_a_trusts_line_must_speak_of_the_distinctive_word_when_another_does(real_settings):
    """Cutting waiting times is close to 'cut the use of restraint' but is not about it."""
    restraint = Assistant(real_settings).ask("How did the trusts cut the use of restraint?")
    assert "CAMHS waits" not in restraint.answer
    assert "restraint-reduction programme" in restraint.answer


@pytest.mark.slow
def test_problems_when_first_rated_are_the_first_findings_not_later_ones(real_settings):
    """'When it first got requires improvement' says when; 'improvement' is not what was fixed."""
    answer = (
        Assistant(real_settings)
        .ask(
            "What was wrong with Oxleas's acute wards when it first received requires improvement?"
        )
        .answer
    )
    assert "bed pressure" in answer or "shortage of beds" in answer
    assert "2022" not in answer and "dealt with" not in answer


@pytest.mark.slow
def test_a_leaders_style_is_how_they_lead_not_a_missing_word(real_settings):
    """'Style' frames the question like 'approach': no document needs the word."""
    result = Assistant(real_settings).ask(
        "What's the leadership style of South West Yorkshire's chief executive?"
    )
    assert not result.abstained
    assert "heroic lone leader" in result.answer or "every new member of staff" in result.answer


@pytest.mark.slow
def test_a_trusts_theme_line_speaks_in_the_themes_words(real_settings):
    """Under the staff engagement heading, survey results passed on beat 'enough staff'."""
    answer = (
        Assistant(real_settings)
        .ask(
            "What did the trusts actually do to get frontline staff involved"
            " and feeling like the changes were theirs?"
        )
        .answer
    )
    oxleas = answer.split(f"**{OXLEAS}**")[1].split("\n\n")[0]
    assert "survey results" in oxleas and "suitably skilled" not in oxleas


@pytest.mark.slow
def test_did_any_get_a_rating_said_with_its_scope_names_only_those(real_settings):
    """'either outstanding overall or outstanding for well-led': the lines giving either."""
    result = Assistant(real_settings).ask(
        "Did any of the featured trusts get beyond good afterwards -"
        " either outstanding overall or outstanding for well-led?"
    )
    headed = set(re.findall(r"^\*\*(.+?)\*\*$", result.answer, re.M)) - {"Across the reports"}
    assert headed == {NSCHT, "Lincolnshire Partnership NHS Foundation Trust"}
    nscht = result.answer.split(f"**{NSCHT}**")[1].split("\n\n")[0]
    assert re.search(r"(?i)rated .{0,60}outstanding", nscht)  # the rating, not a domain line


@pytest.mark.slow
def test_a_rating_claimed_in_a_check_or_as_a_drop_is_put_right(real_settings):
    assistant = Assistant(real_settings)
    told = assistant.ask("Someone said Oxleas was rated outstanding in 2019, is that right?")
    assert told.answer.startswith("The documents do not say Oxleas was rated outstanding in 2019.")
    dropped = assistant.ask("Did Sheffield drop to inadequate at its 2018 inspection?")
    assert dropped.answer.startswith("The documents do not say Sheffield")
    assert "Requires Improvement overall" in dropped.answer


@pytest.mark.slow
def test_concrete_examples_of_a_theme_are_the_trusts_section_on_it(real_settings):
    """'Concrete' and 'frontline' only say how the staff engagement examples should be."""
    answer = (
        Assistant(real_settings)
        .ask(
            "Give me some concrete examples of Oxleas engaging and empowering its frontline staff."
        )
        .answer
    )
    first = next(line for line in answer.splitlines() if line.startswith("- "))
    assert "survey results" in first


@pytest.mark.slow
def test_a_rating_is_of_the_year_it_names_and_a_kept_one_says_no_fall(real_settings):
    """A May 2021 rating next to a line naming 2023 is no 2023 rating; 'stayed good' answers."""
    assistant = Assistant(real_settings)
    later = assistant.ask(
        "What overall rating did CQC give Sheffield Health and Social Care in 2023?"
    )
    assert later.abstained and "May 2021" not in later.answer.split("Closest material")[0]
    kept = assistant.ask("Did Oxleas lose its good rating in 2020?")
    assert not kept.abstained and "the trust as a whole stayed good" in kept.answer


@pytest.mark.slow
def test_a_date_asked_of_every_trust_keeps_one_line_each(real_settings):
    """Two lines per trust are for what the trusts did, not for a date or a figure."""
    answer = Assistant(real_settings).ask("When was each trust first rated good?").answer
    for block in answer.split("\n\n")[1:]:
        if block.startswith("**") and "Across the reports" not in block:
            assert block.count("\n- ") == 1, block


@pytest.mark.slow
def test_what_cqc_found_at_a_fall_named_before_is_its_findings(real_settings):
    """'Both dropped back to requires improvement in 2018. What did CQC find at each?'"""
    result = Assistant(real_settings).ask(
        "Sheffield and South West Yorkshire both fell back to requires improvement in 2018."
        " What did CQC find at each?"
    )
    assert not result.missing  # each side answers, not "nothing on 'CQC find'"
    assert "call bells" in result.answer.split(f"**{SWYPFT}**")[1]


@pytest.mark.slow
def test_outstanding_for_any_key_question_names_the_trusts_given_it(real_settings):
    result = Assistant(real_settings).ask(
        "Of the seven mental health trusts, which later got an outstanding rating,"
        " overall or for any key question?"
    )
    headed = set(re.findall(r"^\*\*(.+?)\*\*$", result.answer, re.M)) - {"Across the reports"}
    assert {NSCHT, "Lincolnshire Partnership NHS Foundation Trust"} <= headed
    assert OXLEAS not in headed and SWYPFT not in headed  # good, never outstanding


@pytest.mark.slow
def test_which_trust_improved_fastest_names_the_one_ranked_so(real_settings):
    """A superlative asked of the trusts is answered by a line ranking one among others."""
    assistant = Assistant(real_settings)
    for question in ("Which trust improved fastest?", "Which trust improved the most?"):
        result = assistant.ask(question)
        headed = set(re.findall(r"^\*\*(.+?)\*\*$", result.answer, re.M))
        assert headed - {"Across the reports"} == {NSCHT}, question
        assert "fastest-improving" in result.answer


@pytest.mark.slow
def test_which_trusts_fell_or_rose_later_names_only_those(real_settings):
    """A fall is said in words of movement; a first 'requires improvement' is no fall."""
    assistant = Assistant(real_settings)
    fell = assistant.ask("Which of the seven trusts later slipped back down in their CQC rating?")
    assert {c.trust for c in fell.citations} == {
        "South West Yorkshire Partnership NHS Foundation Trust",
        "Sheffield Health and Social Care NHS Foundation Trust",
    }
    assert "For that reason" not in fell.answer.split("\n- ")[-1][:20]  # it brings its reason
    rose = assistant.ask("which trusts went on to get an outstanding rating after the report?")
    assert "**North Staffordshire Combined Healthcare NHS Trust**" in rose.answer
    assert "Oxleas" not in rose.answer  # not its aim to be outstanding
    assert "28 March 2019" in rose.answer


def test_the_name_of_a_thing_is_no_person():
    assert analyse("What was the name of north staffs' improvement drive?").answer_type == (
        "organisation"
    )
    assert analyse("What was the name of the chief executive at Oxleas?").answer_type == "person"


@pytest.mark.slow
def test_how_many_people_is_answered_by_a_count_of_people(real_settings):
    assistant = Assistant(real_settings)
    partners = assistant.ask("how many people take part in creative minds")
    assert partners.abstained  # 120 partners and 1,000 projects count no people
    staff = assistant.ask("how many people responded to the oxleas staff survey")
    assert "1,715 staff" in staff.answer


@pytest.mark.slow
def test_how_a_trust_responded_is_answered_with_what_it_did(real_settings):
    """'How did X respond to Y' asks for the response: Y only sets the scene."""
    assert analyse("How did Somerset respond to CQC's enforcement action?").action
    result = Assistant(real_settings).ask(
        "How did Somerset respond to CQC's enforcement action on its learning disability "
        "community services?"
    )
    first = result.answer.split("\n- ")[1]
    assert "transformed" in first or "outstanding" in first


@pytest.mark.slow
def test_slips_in_a_trust_name_and_people_words_do_not_abstain(real_settings):
    assistant = Assistant(real_settings)
    typo = assistant.ask("How much did Caldestones get for meeting its 2014/15 CQUIN indicators?")
    assert not typo.abstained and "Calderstones" in typo.answer
    people_word = assistant.ask(
        "Sheffield and SWYPFT both drew on an American improvement model - which one?"
    )
    assert not people_word.abstained and "Dartmouth" in people_word.answer


@pytest.mark.slow
def test_who_took_over_is_named_from_a_sentence_with_the_role_nearby(real_settings):
    result = Assistant(real_settings).ask(
        "Who took over as chief executive of South West Yorkshire Partnership in 2016?"
    )
    assert "Rob Webster" in result.answer


@pytest.mark.slow
def test_what_a_theme_means_is_the_reports_own_definition(real_settings):
    assert analyse("what is meant by outward looking").scope == "report"
    result = Assistant(real_settings).ask("what is meant by outward looking")
    assert not result.abstained and "working together" in result.answer
    assert "They partnered with local health and care bodies" in result.answer  # goes on


def test_the_two_trusts_leans_on_the_sentence_naming_them():
    from assistant._sentences import _dangling_pronoun

    assert _dangling_pronoun("In late 2017 the two trusts set up a joint executive team.")
    assert _dangling_pronoun("Most of the trusts featured made changes.") is None


@pytest.mark.slow
def test_how_a_trust_built_something_is_about_the_thing_built(real_settings):
    result = Assistant(real_settings).ask(
        "Compare how Oxleas and Sheffield built quality improvement capability"
    )
    oxleas = result.answer.split("**Sheffield")[0]
    assert "King's Fund" in oxleas and "microsystem" in result.answer


@pytest.mark.slow
def test_what_a_trust_did_after_its_rating_is_its_response(real_settings):
    """Nothing asked about but the rating it followed: the answer is what was done."""
    question = "What did Somerset Partnership do after its 2015 requires improvement rating?"
    assert analyse(question).themes == ("reaction",)
    later = "what did sheffield do after being rated inadequate in 2020"
    assert analyse(later).themes == ()  # the reaction sections tell of the first ratings
    result = Assistant(real_settings).ask(question)
    assert "18-month improvement programme" in result.answer.split("\n- ")[1]


@pytest.mark.slow
def test_how_long_from_one_rating_to_another_gives_both_dates(real_settings):
    result = Assistant(real_settings).ask(
        "How long did it take North Staffs to go from requires improvement to outstanding?"
    )
    first, second = result.answer.split("\n- ")[1:3]
    assert "September 2015" in first and "28 March 2019" in second


def test_mental_health_trusts_in_general_are_a_report_question():
    assert analyse("How many NHS mental health trusts had CQC inspected by 2016?").scope == "report"
    assert analyse("Which were the first mental health trusts rated outstanding?").scope == (
        "report"
    )
    assert analyse("How did the seven mental health trusts react?").scope == "all_trusts"


def test_a_demonstrative_after_a_preposition_leans_back():
    from assistant._sentences import _dangling_pronoun

    assert _dangling_pronoun("At that point it had rated 47: 29 requires improvement.")
    assert _dangling_pronoun("In 2017 this trust did well.") is None


@pytest.mark.slow
def test_report_questions_name_no_person_in_its_title(real_settings):
    """'Driving improvement' is the report's title, not a name the documents must hold."""
    assert analyse("What are the key themes of the Driving improvement report?").names == ()
    baker = Assistant(real_settings).ask("What did Ted Baker say about improving trusts?")
    assert "He said good leadership" in baker.answer  # the sentence going on from his name


def test_a_he_further_into_a_sentence_with_nobody_before_it_leans_back():
    from assistant._sentences import _dangling_pronoun

    profile = (
        "In a Yorkshire Post profile from September 2018, by which time he had led the trust "
        "for two years, he was described as meeting every new member of staff."
    )
    assert _dangling_pronoun(profile)  # "Yorkshire Post" is a paper, not the person


@pytest.mark.slow
def test_a_comparison_finds_the_passage_filed_under_another_theme(real_settings):
    """Oxleas's 2019 staff survey sits under Culture, not Staff engagement."""
    result = Assistant(real_settings).ask("Compare staff survey results at Oxleas and Calderstones")
    assert "26 February 2019" in result.answer.split("**Calderstones")[0]


@pytest.mark.slow
def test_what_was_done_leads_without_shortening_the_answer(real_settings):
    """The bonus for what was done orders the lines; it does not raise the bar for the rest."""
    result = Assistant(real_settings).ask("What did Oxleas do to engage staff?")
    assert result.answer.count("\n- ") >= 2


def test_a_role_named_at_once_says_of_which_trust():
    from assistant._sentences import standalone_quote

    text = "The chairman, Stephen Ladyman, welcomed the inspection."
    somerset = chunk(text, trust="Somerset Partnership NHS Foundation Trust")
    quote = standalone_quote(somerset, [(0, len(text))], 0)
    assert quote.startswith("The chairman [of Somerset Partnership], Stephen Ladyman")


@pytest.mark.slow
def test_a_sentence_about_a_person_by_pronoun_counts_as_theirs(real_settings):
    """'[Rob Webster] rejects the idea of the heroic lone leader' is about Rob Webster."""
    result = Assistant(real_settings).ask("how did Rob Webster approach leadership at SWYPFT?")
    assert "heroic lone leader" in result.answer


@pytest.mark.slow
def test_when_a_trust_got_a_rating_is_the_first_time(real_settings):
    assert analyse("What year did LPFT become a foundation trust?").focus == "become foundation"
    assistant = Assistant(real_settings)
    founded = assistant.ask("What year did LPFT become a foundation trust?")
    assert "1 October 2007" in founded.answer  # "year" is the kind of answer, not a topic
    good = assistant.ask("In which year did Oxleas get rated good?")
    assert "2017" in good.answer.split("\n- ")[1]


def test_a_move_between_two_names_is_no_one_name():
    moved = analyse("How many staff transferred from Calderstones to Mersey Care?")
    assert moved.trusts == ("Calderstones Partnership NHS Foundation Trust",)
    assert "Freedom to Speak Up" in analyse("Did Oxleas sign up to Freedom to Speak Up?").names


def test_this_with_a_verb_after_a_date_leans_back():
    from assistant._sentences import _dangling_pronoun

    assert _dangling_pronoun("In 2018 this grouped 32 health and care organisations.")
    assert _dangling_pronoun("In 2017 this trust did well.") is None


@pytest.mark.slow
def test_a_figure_for_a_named_place_must_be_that_places(real_settings):
    assistant = Assistant(real_settings)
    other_ward = assistant.ask("How many beds did the Hartsholme Centre PICU have?")
    assert "Ash Villa" not in other_ward.answer.split("Closest material")[0]
    barnsley = assistant.ask("How much NHS England money did SWYPFT get for CAMHS in Barnsley?")
    assert "£119,000" in barnsley.answer  # the place named earlier on the sentence's line


@pytest.mark.slow
def test_a_person_one_trusts_notes_hold_makes_it_that_trusts_question(real_settings):
    assistant = Assistant(real_settings)
    successor = assistant.ask("Who replaced Caroline Donovan?")
    assert "Peter Axon" in successor.answer
    ray = assistant.ask("What did Jane Ray say?")  # a name they hold is theirs to answer
    assert not ray.abstained and "encouraging" in ray.answer
    baker = assistant.ask("What did Ted Baker say about improving trusts?")
    assert "Report-level" in baker.answer  # named in the report's pages, no one trust's


def test_a_rated_line_without_its_subject_takes_the_items_label():
    from assistant._sentences import split_passage

    text = (
        "- Leeds Teaching Hospitals NHS Trust. Rated requires improvement after a March "
        "2014 inspection. Rated good after a May 2016 follow-up, announced on 27 September 2016."
    )
    quotes = [s.quote for s in split_passage(chunk(text, trust=""))]
    assert "[Leeds Teaching Hospitals NHS Trust:] Rated good after a May 2016 follow-up" in (
        " ".join(quotes)
    )


@pytest.mark.slow
def test_a_report_question_naming_a_body_is_answered_by_lines_naming_it(real_settings):
    result = Assistant(real_settings).ask("When was Leeds Teaching Hospitals rated good?")
    assert "27 September 2016" in result.answer and "North Staffordshire" not in result.answer


@pytest.mark.slow
def test_when_did_it_become_a_rating_it_never_had_says_so(real_settings):
    result = Assistant(real_settings).ask(
        "When did Somerset Partnership become outstanding overall?"
    )
    assert result.answer.startswith("The documents do not say Somerset Partnership was rated")


def test_linked_this_to_needs_what_this_is():
    from assistant._sentences import standalone_quote

    text = "Michael linked this to the trust's aim of running services staff would use."
    assert standalone_quote(chunk(text), [(0, len(text))], 0) == ""


@pytest.mark.slow
def test_people_of_two_trusts_make_a_comparison_of_the_two(real_settings):
    assert analyse("Compare Rob Webster and Mark Hindle").names == ("Rob Webster", "Mark Hindle")
    result = Assistant(real_settings).ask("Compare Rob Webster and Mark Hindle as leaders")
    assert "**South West Yorkshire Partnership" in result.answer
    assert "**Calderstones Partnership" in result.answer


@pytest.mark.slow
def test_trouble_keeping_a_rating_is_a_fall(real_settings):
    result = Assistant(real_settings).ask(
        "which trust had the most trouble keeping its rating and why"
    )
    assert {c.trust for c in result.citations} <= {
        "South West Yorkshire Partnership NHS Foundation Trust",
        "Sheffield Health and Social Care NHS Foundation Trust",
    }


@pytest.mark.slow
def test_a_person_taking_a_post_is_no_takeover_of_the_trust(real_settings):
    assistant = Assistant(real_settings)
    merged = assistant.ask("Which of the trusts ended up merging or being taken over?")
    assert "Rob Webster" not in merged.answer and "Mersey Care" in merged.answer
    post = assistant.ask("Who took over as chief executive of South West Yorkshire in 2016?")
    assert "Rob Webster" in post.answer


@pytest.mark.slow
def test_a_question_pointing_back_to_its_context_takes_the_context_as_topic(real_settings):
    question = (
        "my trust keeps getting flagged for ligature risks - did any of these trusts sort that "
        "out and how?"
    )
    assert "ligature" in analyse(question).focus
    result = Assistant(real_settings).ask(question)
    assert not result.abstained and "ligature heat map" in result.answer


def test_a_line_labelling_a_list_of_things_is_quotable():
    from assistant._sentences import split_passage

    text = (
        "- New emphasis in 2020: formal QI methods, SPC data, self-evaluation and "
        "accreditation, and succession planning.\n- Next steps: more."
    )
    quotes = [s.quote for s in split_passage(chunk(text, trust=""))]
    assert quotes == [
        "New emphasis in 2020: formal QI methods, SPC data, self-evaluation and accreditation, "
        "and succession planning."
    ]


def test_a_publication_named_by_its_title_is_what_the_question_is_about(fake_assistant):
    from assistant._publications import Publications

    named_documents = Publications(fake_assistant.open()).named_documents
    assert named_documents("What does the Sustaining improvement report say?") == (
        "sustaining-improvement",
    )
    assert named_documents("Which themes did the acute trusts report have?") == (
        "acute-trusts-driving-improvement",
    )
    # the title's words as a topic, and another report's acute wards, name no publication
    assert named_documents("How did the trusts sustain improvement?") == ()
    assert named_documents("What did the report say about acute wards?") == ()


@pytest.mark.slow
def test_a_question_about_a_named_publication_is_answered_from_it(real_settings):
    result = Assistant(real_settings).ask(
        "What new emphasis appeared in the 2020 Sustaining improvement case studies?"
    )
    assert result.analysis["documents"] == ["sustaining-improvement"]
    assert "formal QI methods, SPC data" in result.answer.split("\n- ")[1]
    which = Assistant(real_settings).ask(
        "Which of the seven mental health trusts did CQC revisit in its 2020 Sustaining "
        "improvement work?"
    )
    assert {"Lincolnshire Partnership NHS Foundation Trust"} <= {c.trust for c in which.citations}


def test_a_table_row_is_quoted_with_its_column_headers():
    from assistant._sentences import split_passage
    from evals._metrics import is_fragment
    from evals._text import quote_in_source, source_form

    header = "| Section | Page |\n|---|---|\n| Foreword | 2 |\n"
    rest = "| Wexham Park | 26 |\n| Mid Essex | 42 |"
    quotes = [s.quote for s in split_passage(chunk(rest, trust=""), earlier=header)]
    assert quotes == ["Wexham Park [— Page:] 26", "Mid Essex [— Page:] 42"]
    assert all(quote_in_source(q, source_form(header + rest)) for q in quotes)
    assert not any(map(is_fragment, quotes))
    # the header and the rule under it are no rows; a table without a header gives none
    assert [s.quote for s in split_passage(chunk(header, trust=""))] == ["Foreword [— Page:] 2"]
    assert split_passage(chunk("| a | b |\n| c | d |", trust="")) == []


def test_a_pages_date_line_answers_only_a_when(fake_assistant):
    lasting = fake_assistant.ask("What does the report say makes improvement last?")
    assert "Last updated" not in lasting.answer
    when = fake_assistant.ask("When was the Driving improvement page last updated?")
    assert "29 June 2018" in when.answer


def test_carried_out_only_frames_the_question():
    assert analyse("When was Sheffield's 2018 inspection carried out?").focus == "inspection"


def test_a_sentence_in_a_dated_item_is_of_the_items_year():
    from assistant._extractive import _year_before

    text = (
        "- 2014: an inspection rated it requires improvement, published on 9 June 2015. "
        "Forensic inpatient services were rated Outstanding."
    )
    sentences = split_passage(chunk(text, trust=""))
    forensic = next(s for s in sentences if s.text.startswith("Forensic"))
    assert _year_before(forensic) == "2014"


@pytest.mark.slow
def test_who_did_something_to_a_named_person_may_be_a_role(real_settings):
    result = Assistant(real_settings).ask("Who recruited Mark Hindle and when?")
    assert "A new chair arrived in 2013" in result.answer.split("\n- ")[1]


@pytest.mark.slow
def test_staff_feedback_is_found_as_staff_surveys(real_settings):
    result = Assistant(real_settings).ask("How did SWYPFT use staff feedback to improve?")
    assert "staff wellbeing surveys" in " ".join(result.answer.split("\n- ")[1:3])
    assert "heavy use of bank and agency staff" not in result.answer  # "use" only frames it


@pytest.mark.slow
def test_involving_patients_is_found_as_co_production(real_settings):
    result = Assistant(real_settings).ask(
        "How did Somerset Partnership involve patients in improving services?"
    )
    assert "co-production with patients" in result.answer.split("\n- ")[1]


def test_a_theme_named_in_the_plural_is_named():
    question = "Compare the reactions of Somerset and SWYPFT to their first reports."
    assert analyse(question).themes == ("reaction",)


def test_a_question_whose_only_topic_word_is_unknown_abstains(fake_assistant):
    result = fake_assistant.ask("What role did the ICS play at Oxleas?")
    assert result.abstained and result.answer.startswith("The documents do not mention ICS.")
    framed = fake_assistant.ask("What role did staff engagement play at Oxleas?")
    assert not framed.abstained


def test_a_named_publication_silent_on_the_trust_asked_about_says_so(fake_assistant):
    result = fake_assistant.ask("What did the acute report say about Sheffield?")
    assert result.abstained and result.coverage == "none"
    assert result.answer.startswith('The notes on "CQC Driving improvement: case studies from')
    assert "do not mention Sheffield Health and Social Care." in result.answer.split("\n")[0]
    covered = fake_assistant.ask("What did the Sustaining improvement report say about LPFT?")
    assert not covered.abstained


@pytest.mark.slow
def test_when_a_named_publication_came_out_is_its_own_line(real_settings):
    result = Assistant(real_settings).ask("When was the acute trusts report published?")
    assert "on 14 June 2017" in result.answer.split("\n- ")[1]


def test_a_slip_in_the_only_topic_word_is_no_unknown_word(fake_assistant):
    result = fake_assistant.ask("What role did the boad play at Oxleas?")
    assert not result.answer.startswith("The documents do not mention boad")


@pytest.mark.slow
def test_how_long_to_reach_a_rating_leads_with_the_dated_upgrade(real_settings):
    result = Assistant(real_settings).ask("How long did it take Sheffield to reach good?")
    assert result.answer.split("\n- ")[1].startswith(
        "On 30 March 2017 CQC raised the overall rating to Good."
    )


def test_a_publications_work_is_named_by_its_title_in_lower_case(fake_assistant):
    from assistant._publications import Publications

    named_documents = Publications(fake_assistant.open()).named_documents
    question = "what did the sustaining improvement work say about succession planning"
    assert named_documents(question) == ("sustaining-improvement",)


def test_a_quantifier_is_no_name_for_the_noun_after_it():
    text = "Some trusts set up ward accreditation. The trusts also invested in leadership."
    quotes = [s.quote for s in split_passage(chunk(text, trust=""))]
    assert not any("[Some trusts]" in q for q in quotes)


@pytest.mark.slow
def test_a_companion_publications_answer_stands_under_its_own_title(real_settings):
    assistant = Assistant(real_settings)
    spc = assistant.ask("Did any of the trusts use SPC charts?")
    assert not spc.abstained
    assert "**CQC Sustaining improvement (2020)" in spc.answer
    reaction = assistant.ask("How did the trusts react to a poor first rating?")
    assert "eight NHS trusts" not in reaction.answer  # the acute report's trusts: padding


@pytest.mark.slow
def test_outstanding_for_anything_is_no_overall_rating_taken_as_given(real_settings):
    result = Assistant(real_settings).ask("Did LPFT ever get outstanding for anything?")
    assert not result.answer.startswith("The documents do not say")
    assert "outstanding for well-led" in result.answer


def test_someone_named_by_surname_alone_gets_their_given_name():
    from assistant._sentences import given_names

    names = given_names(["By 2019 Matthew Trainer was chief executive. Dr Ify Okocha followed."])
    assert names == {"Trainer": "Matthew", "Okocha": "Ify"}
    text = "Trainer said great care depends on staff, and Okocha agreed with Trainer."
    quotes = [s.quote for s in split_passage(chunk(text), given_names=names)]
    assert quotes == [
        "[Matthew] Trainer said great care depends on staff, and Okocha agreed with Trainer."
    ]
    # two people sharing a surname: neither is guessed
    assert given_names(["Ann Smith met Bob Smith."]) == {}
    # a heading run into a sentence, or two places, are no person
    assert given_names(["Leadership\nLeaders made themselves seen. Most leaders did."]) == {}
    assert given_names(["Barking Havering and Redbridge. Barking was first."]) == {}


def test_a_possessive_name_opening_the_sentence_is_who_he_is():
    text = (
        "A new chair, Rupert Nichols, arrived. "
        "Hindle's farewell blog said he had been chief executive."
    )
    quotes = [s.quote for s in split_passage(chunk(text))]
    assert not any("[Rupert Nichols]" in q for q in quotes)


def test_a_this_announced_on_a_date_brings_what_it_means():
    text = "- In 2017 the trust became good overall. CQC announced this on 2 May 2017.\n"
    quotes = [s.quote for s in split_passage(chunk(text))]
    assert "In 2017 the trust became good overall. CQC announced this on 2 May 2017." in quotes
    assert "CQC announced this on 2 May 2017." not in quotes


def test_what_is_responded_to_is_the_topic_unless_it_is_the_rating():
    from assistant._analysis import responds_to_topic

    assert responds_to_topic("How did X respond to CQC's concerns about face-down restraint?")
    assert not responds_to_topic("How did Somerset respond to its 2015 rating?")
    assert not responds_to_topic("What was its response to the requires improvment rating?")
    assert not responds_to_topic("How did X respond to the rating from CQC in 2015?")
    question = "How did Calderstones respond to CQC's concerns about face-down restraint?"
    assert analyse(question).condition == ""  # the restraint is no scene-setting
    weights = focus_weights(analyse(question), {"respond": 4.0, "restraint": 3.0})
    assert weights[frozenset({"restraint"})] > weights[frozenset({"respond"})]


@pytest.mark.slow
def test_what_was_done_about_a_problem_leads(real_settings):
    result = Assistant(real_settings).ask(
        "How did Calderstones respond to CQC's concerns about face-down restraint?"
    )
    assert "taskforce on overuse of physical restraint" in result.answer.split("\n- ")[1]


@pytest.mark.slow
def test_engaging_staff_is_found_in_what_was_done_with_their_survey(real_settings):
    result = Assistant(real_settings).ask("What did Oxleas do to engage staff?")
    lead = " ".join(result.answer.split("\n- ")[1:3])
    assert "[Matthew] Trainer said" in lead and "passed to directorates" in lead


@pytest.mark.slow
def test_which_trusts_a_publication_revisited_are_those_it_has_a_part_on(real_settings):
    result = Assistant(real_settings).ask(
        "Which of the seven MH trusts did CQC go back to for the Sustaining improvement work?"
    )
    cited = {c.trust for c in result.citations}
    assert cited == {
        "Lincolnshire Partnership NHS Foundation Trust",
        "North Staffordshire Combined Healthcare NHS Trust",
    }
    assert result.answer.startswith("Matching material is found for two of the seven trusts")


def test_two_picks_that_follow_each_other_read_as_one_quote():
    from assistant._extractive import Scored, _adjacent_joined

    text = (
        "A monthly Back to Good Board reviewed actions. The trust updated a public progress "
        "chart after each meeting.\n\n- Staff teams met every week to review their plans."
    )
    sentences = split_passage(chunk(text))
    board, chart, weekly = (Scored(s, 1.0, 1.0, 1.0) for s in sentences)
    assert chart.sentence.quote.startswith("[Oxleas] updated")
    joined = _adjacent_joined([chart, weekly, board])
    assert [x.sentence.quote for x in joined] == [
        "A monthly Back to Good Board reviewed actions. The trust updated a public progress "
        "chart after each meeting.",
        "Staff teams met every week to review their plans.",
    ]
    assert is_verbatim(joined[0].sentence.quote, text)


def test_tracking_progress_is_found_as_reviewing_it_and_charting_it():
    weights = focus_weights(
        analyse("How did Sheffield track progress?"), {"track": 4.0, "chart": 3.0, "review": 1.0}
    )
    assert any("chart" in forms and "track" in forms for forms in weights)


@pytest.mark.slow
def test_a_word_only_the_other_trusts_notes_have_does_not_hold_this_trust_back(real_settings):
    result = Assistant(real_settings).ask(
        "How did staff survey results look at Oxleas in 2019 compared with Calderstones in "
        "its 2014-15 yearbook?"
    )
    oxleas = result.answer.split("**Calderstones")[0]
    assert "The staff survey published on 26 February 2019" in oxleas  # no yearbook at Oxleas


def test_a_span_of_years_written_short_is_both_years():
    analysis = analyse(
        "What were the CQC results for LPFT and NSCHT from their 2018-19 inspections?"
    )
    assert analysis.years == ("2018", "2019") and analysis.since == 0  # which, not since when
    assert "19" not in analysis.focus.split()
    assert analyse("What changed at Oxleas after its 2016 rating?").since == 2016
    assert analyse("What did Sheffield do from 2020 onwards?").since == 2020
    assert analyse("What changed since the end of its 2016 inspection?").since == 2016
    assert analyse("What were the 1999-00 results?").all_years == ("1999", "2000")


@pytest.mark.slow
def test_the_results_of_inspections_are_their_ratings(real_settings):
    result = Assistant(real_settings).ask(
        "What were the final CQC results for LPFT and NSCHT from their 2018-19 inspections?"
    )
    assert "good overall and outstanding for well-led" in result.answer
    assert "Outstanding overall" in result.answer


def test_a_scheme_named_in_the_paragraph_before_is_named_in_brackets():
    text = (
        "Creative Minds. The trust launched Creative Minds in 2011 to support arts projects.\n\n"
        "Steven Michael, who devised the scheme, said it was meant to bridge a gap."
    )
    quotes = [s.quote for s in split_passage(chunk(text))]
    assert (
        "Steven Michael, who devised the scheme [Creative Minds], said it was meant to "
        in (quotes[-1])
    )
    assert is_verbatim(quotes[-1], text)


def test_a_dated_list_is_quoted_with_the_items_of_the_year_asked():
    from assistant._extractive import Scored, _items_asked_about

    text = (
        "Rating journey:\n- April 2013 inspection: good overall.\n"
        "- December 2015 inspection: requires improvement overall. Safe was rated inadequate.\n"
        "- April 2017 inspection: good overall.\n- March 2019 inspection: good overall."
    )
    journey = next(s for s in split_passage(chunk(text)) if s.quote.startswith("Rating"))
    pick = Scored(journey, 1.0, 1.0, 1.0, part_focus=(0.5,) * (journey.quote.count("[…]")))
    quote = _items_asked_about(pick, analyse("What was rated inadequate in 2015?")).sentence.quote
    assert quote == (
        "Rating journey: […] December 2015 inspection: requires improvement overall. […] "
        "Safe was rated inadequate."
    )
    assert is_verbatim(quote, text)
    undated = _items_asked_about(pick, analyse("What was rated inadequate?"))
    assert undated.sentence.quote == journey.quote


def test_a_table_opening_a_passage_is_read_with_the_text_before_it():
    text = (
        "| Theme | Acute report (2017) | Mental health report (2018) |\n|---|---|---|\n"
        "| Vision and values | Separate theme | Not a separate theme |\n"
        "| Improving safety | Separate theme | Not a separate theme |"
    )
    rows = split_passage(chunk(text), earlier="The regime had shown that care can improve.")
    assert [s.quote.split(" [")[0] for s in rows] == ["Vision and values", "Improving safety"]
    from assistant._extractive import _same_words

    assert not _same_words(rows[0], rows[1])  # one table's rows share headers, not words


def test_according_to_only_frames_the_question():
    analysis = analyse("According to CQC, what role did staff engagement play in improvement?")
    assert "According" not in analysis.focus and not analysis.names


def test_a_publication_word_must_stand_by_the_title_words():
    from assistant._publications import _means_publication

    assert not _means_publication("According to the report, what made the difference?", ["made"])
    assert _means_publication("Which themes did the acute report have?", ["acut", "report"])
    far = "Which themes did the acute trusts have, according to the report?"
    assert not _means_publication(far, ["acut", "trust"])
    assert _means_publication("What did the NHS70 series say?", ["nhs70"])


@pytest.mark.slow
def test_a_companion_reports_themes_come_from_its_own_table(real_settings):
    result = Assistant(real_settings).ask(
        "Which themes did the 2017 acute trusts report have that the mental health report did not?"
    )
    assert "Vision and values [— Acute report (2017):] Separate theme" in result.answer
    assert "A poor rating for many trusts was a stimulus" not in result.answer  # not ours


def test_a_trusts_own_initials_are_no_unknown_term(fake_assistant):
    result = fake_assistant.ask(
        "Both SWYPFT and Sheffield H&SC borrowed improvement methods. Which models did each use?"
    )
    assert not result.answer.startswith("The documents do not mention H&SC")


def test_how_many_counts_the_noun_after_an_adjective():
    from assistant._extractive import _counted

    assert _counted("For how many consecutive years had it posted a surplus?") == frozenset()
    assert _counted("How many separate wards were there?") == frozenset({"ward"})


@pytest.mark.slow
def test_a_figure_in_a_list_is_quoted_with_its_lead_in_alone(real_settings):
    result = Assistant(real_settings).ask(
        "For how many consecutive years had North Staffs Combined Healthcare posted a financial "
        "surplus by mid-2017?"
    )
    assert "[…] It had recorded a financial surplus for the 18th year running." in result.answer
    assert "CQUIN" not in result.answer  # the list's other news
    kids = Assistant(real_settings).ask(
        "The one-off NHS England money for Barnsley CAMHS - how many kids did it get into "
        "treatment sooner?"
    )
    assert "208 children and young people" in kids.answer


def test_how_did_they_go_about_tackling_asks_what_was_done():
    assert analyse("How did Calderstones go about tackling its reliance on restraint?").action
    assert analyse("How has LPFT been bringing down out-of-area placements?").action
    assert not analyse("How did the trusts end up good?").action
    assert not analyse("How did the reduction in beds affect patients?").action
    assert analyse("Which areas did the trust improve?").answer_type != "trust"


def test_a_title_year_or_another_word_for_report_names_a_publication(fake_assistant):
    from assistant._publications import _means_publication

    question = "Sustaining improvement 2020 - what did the trusts use instead of RAG ratings?"
    assert _means_publication(question, ["sustain", "improv"], ["2020"])
    assert not _means_publication(question, ["sustain", "improv"], ["2019"])
    dated = "What did Sheffield do to sustain improvement in 2020?"
    assert not _means_publication(dated, ["sustain", "improv"], ["2020"])


@pytest.mark.slow
def test_a_publication_named_in_the_first_part_is_what_it_points_back_to(real_settings):
    result = Assistant(real_settings).ask(
        "When was the acute trust edition of Driving improvement published and how many trusts "
        "did it cover?"
    )
    assert "14 June 2017" in result.answer and "eight NHS trusts" in result.answer
    assert "15 March 2018" not in result.answer  # the mental health report's date


def test_whom_a_trust_merged_with_is_an_organisation_named_after_the_verb():
    from assistant._extractive import _Asked, _names_whom

    analysis = analyse("Who did Somerset Partnership merge with?")
    assert analysis.answer_type == "organisation"
    asked = _Asked.of(analysis, focus_weights(analysis, {"merg": 3.0, "merger": 3.0}))
    assert _names_whom("On 1 April 2020 it merged with Taunton and Somerset NHS Trust.", asked)
    assert not _names_whom("Quality held up despite merging at the start of a pandemic.", asked)


def test_inspection_results_are_ratings_only_when_nothing_else_is_asked():
    from assistant._extractive import _about_ratings

    assert _about_ratings(analyse("What were the final CQC results for LPFT?"))
    assert not _about_ratings(analyse("What did the CQC results show about waiting times?"))


@pytest.mark.parametrize(
    ("question", "make_up"),
    [
        ("Which trusts were in the report?", True),
        ("How many trusts did the report feature?", True),
        ("Why were these seven trusts picked?", True),
        ("How did CQC choose the trusts?", True),
        ("how many trusts were studied", True),
        ("Did the featured trusts see a good rating as the end?", False),  # an adjective
        ("Which trusts chose to invest in QI?", False),  # the trusts chose
        ("What did the seven trusts do about culture?", False),
    ],
)
def test_which_trusts_the_report_features_is_a_report_question(question, make_up):
    assert asks_make_up(question) is make_up
    if make_up:
        assert analyse(question).scope == "report"


@pytest.mark.slow
def test_the_reports_trusts_are_named_with_why_they_were_chosen(real_settings):
    assistant = Assistant(real_settings)
    which = assistant.ask("Which trusts does the report cover?")
    why = assistant.ask("How were the trusts chosen for the report?")
    assert "Calderstones Partnership NHS Foundation Trust and Sheffield" in which.answer
    assert which.answer.index("The seven trusts were") < which.answer.index("we visited seven")
    assert why.answer.index("we visited seven") < why.answer.index("The seven trusts were")
    assert "significant improvements in their ratings" in why.answer


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("NSCHT staff survey response rate 2018?", "figure"),  # terse: a figure all the same
        ("Oxleas annual income?", "figure"),
        ("Who funded the Sheffield coaching academy?", "organisation"),  # a funder, no person
        ("Which of the seven went on to be rated outstanding?", "trust"),
        ("What did Oxleas do to cut the waiting list?", "how_what"),
    ],
)
def test_terse_figures_funders_and_which_of_the_seven(question, answer_type):
    assert analyse(question).answer_type == answer_type


def test_each_trust_asked_its_own_thing_keeps_its_own_topic_and_year():
    analysis = analyse(
        "Set Lincolnshire's core values, Oxleas's 2021 values and North Staffordshire's four "
        "quality priorities side by side."
    )
    assert "side" not in analysis.focus and analysis.comparison
    topics = own_topics(analysis)
    assert topics["Lincolnshire Partnership NHS Foundation Trust"] == "core values"
    assert topics["Oxleas NHS Foundation Trust"] == "values"
    assert topics["North Staffordshire Combined Healthcare NHS Trust"] == "four quality priorities"
    years = years_by_trust(analysis)
    assert years["Oxleas NHS Foundation Trust"] == ("2021",)
    assert years["Lincolnshire Partnership NHS Foundation Trust"] == ()  # any year
    assert own_topics(analyse("Compare Oxleas and SWYPFT on culture")) == {}


@pytest.mark.slow
def test_places_listed_by_one_word_each_are_each_looked_for(real_settings):
    result = Assistant(real_settings).ask(
        "What nursing vacancy rate did Sompar report at community hospitals such as Minehead "
        "and Williton?"
    )
    assert "above 40%" in result.answer
    assert Assistant(real_settings).ask("What did Oxleas do in Bexley and Narnia?").abstained


@pytest.mark.slow
def test_a_key_questions_rating_is_asked_apart_from_the_overall_one(real_settings):
    assistant = Assistant(real_settings)
    well_led = assistant.ask("Which trusts were rated outstanding for well-led?")
    either = assistant.ask(
        "Which of the seven went on to be rated outstanding, either overall or for well-led?"
    )
    assert "**Lincolnshire Partnership" in well_led.answer
    assert "**North Staffordshire" not in well_led.answer  # outstanding overall, good well-led
    assert "**Lincolnshire Partnership" in either.answer
    assert "**North Staffordshire" in either.answer
    assert "**Sheffield" not in either.answer and "Cambridge" not in either.answer


def test_a_what_is_question_with_more_parts_is_a_how_what_question():
    question = "What is SWYPFT's Creative Minds scheme, when did it start and how far has it grown?"
    assert analyse(question).answer_type == "how_what"


def test_a_leading_scene_a_contrast_and_going_on_are_read_for_what_they_are():
    once = analyse(
        "Once North Staffordshire was rated Outstanding, what did it put in place to check its "
        "own view of quality rather than rely on inspections?"
    )
    assert once.condition == "rated Outstanding" and once.action
    assert "put" not in once.focus.split() and "rely" not in once.focus.split()
    went = analyse("Where did the chief executives who led Somerset to good go next?")
    assert {"left", "moved"} <= set(went.focus.split())
    # what a thing is used instead of is what it is about: kept
    assert "RAG" in analyse("What did the trusts use instead of RAG ratings?").focus


@pytest.mark.slow
def test_lines_that_only_restate_the_scene_do_not_answer(real_settings):
    assistant = Assistant(real_settings)
    result = assistant.ask(
        "Once North Staffordshire was rated Outstanding, what did it put in place to check its "
        "own view of quality rather than rely on inspections?"
    )
    assert "self-evaluation" in result.answer
    assert "CQC rated the trust Outstanding overall" not in result.answer  # the scene
    went = assistant.ask("What did Nick Broughton go on to do?")
    assert "left to lead Southern Health" in went.answer.split("\n- ")[1]


@pytest.mark.slow
def test_what_went_wrong_is_answered_by_the_concerns_not_the_rating_it_led_to(real_settings):
    question = "What went wrong at SWYPFT in 2018 that pulled it back to requires improvement?"
    assert analyse(question).condition == "pulled back requires improvement"
    result = Assistant(real_settings).ask(question)
    assert "call bells" in result.answer.split("\n- ")[1]  # the first line says what went wrong


@pytest.mark.slow
def test_when_a_rating_was_reached_is_not_when_it_was_kept(real_settings):
    result = Assistant(real_settings).ask(
        "When was each of the seven trusts' good rating announced by CQC?"
    )
    oxleas = result.answer.split("**Oxleas NHS Foundation Trust**")[1].split("\n\n")[0]
    assert "became good overall" in oxleas and "stayed good" not in oxleas


def test_a_sentence_opening_with_a_quoted_title_is_a_sentence():
    assert not is_fragment('"Individuals who have made a difference" was CQC\'s contribution.')
    assert is_fragment('"and then some" of it')


def test_a_baseline_compared_with_is_neither_topic_nor_year_and_emphasis_is_emphasise():
    analysis = analyse(
        "What did the 2020 revisit emphasise that was new compared with the 2018 mental health "
        "report?"
    )
    assert "mental" not in analysis.focus and "2018" not in analysis.years
    weights = focus_weights(analysis, {"emphasi": 4.0, "new": 0.5})
    assert any("emphasi" in forms for forms in weights)


@pytest.mark.slow
def test_what_a_publication_was_for_is_said_by_its_defining_line(real_settings):
    result = Assistant(real_settings).ask(
        "What was the Individuals who have made a difference collection about?"
    )
    assert (
        "contribution to the celebrations for the 70th anniversary"
        in (result.answer.split("\n- ")[1])
    )


@pytest.mark.slow
def test_the_next_sentence_that_goes_on_answering_comes_along(real_settings):
    result = Assistant(real_settings).ask("What were Oxleas's 2019 staff survey results?")
    assert (
        "had improved. Scores for engagement, quality of care and support from managers stayed "
        "above average." in result.answer
    )


@pytest.mark.slow
def test_what_was_it_called_is_answered_by_the_line_naming_it(real_settings):
    result = Assistant(real_settings).ask(
        "What was the name of North Staffordshire's improvement programme after the good rating?"
    )
    assert "under the name 'Towards Outstanding'" in result.answer


@pytest.mark.slow
def test_a_rating_for_anything_the_notes_never_give_is_said_plainly(real_settings):
    assistant = Assistant(real_settings)
    never = assistant.ask("Did Calderstones ever get outstanding for anything?")
    assert never.answer.startswith(
        "The documents do not say any part of Calderstones Partnership was rated outstanding."
    )
    assert never.coverage == "partial"
    lpft = assistant.ask("Did LPFT ever get outstanding for anything?")
    assert "outstanding for well-led" in lpft.answer and lpft.coverage == "full"
    assert "These notes" not in lpft.answer  # a line about the notes never comes along


def test_chat_spellings_of_what_are_read_not_dropped():
    speller = Speller(set(), lambda word: True)
    assert mend("whats SWYPFT's staff survey response rate?", speller).startswith("what is")
    assert analyse("what is SWYPFT's staff survey response rate for 2017?").answer_type == (
        "figure"
    )
    assert "roughly" not in analyse("Roughly how many staff did Hindle talk to?").focus.lower()


@pytest.mark.slow
def test_everyday_words_find_the_formal_ones(real_settings):
    assistant = Assistant(real_settings)
    cquin = assistant.ask("how much did Calderstones receive for hitting its CQUIN targets?")
    assert "£877,000" in cquin.answer and not cquin.abstained
    talk = assistant.ask(
        "Roughly how many staff did the Calderstones chief exec personally talk to about where "
        "the trust was heading?"
    )
    assert "about 600 staff" in talk.answer


@pytest.mark.slow
def test_each_part_of_a_two_publication_question_keeps_its_own_publication(real_settings):
    result = Assistant(real_settings).ask(
        "When did CQC publish the seven mental health trusts Driving improvement report, and when "
        "did the Sustaining improvement follow-up come out?"
    )
    assert "15 March 2018" in result.answer and "3 March 2020" in result.answer


@pytest.mark.slow
def test_a_premise_with_only_a_doing_verb_asked_keeps_its_lines(real_settings):
    result = Assistant(real_settings).ask(
        "SWYPFT had really long CAMHS waits in Barnsley - what did they do to bring them down?"
    )
    assert "single point of access" in result.answer
    assert result.answer.count("One-off NHS England funding") == 1  # quoted once


def test_places_listed_with_commas_are_each_a_name_but_an_organisation_stays_whole():
    listed = analyse("What vacancy rates were reported at Minehead, Williton and Barton Dene?")
    assert listed.names[0] == "Minehead"
    organisation = analyse("What did Northumberland, Tyne and Wear NHS Foundation Trust do?")
    assert organisation.outside == ("Northumberland Tyne and Wear NHS Foundation Trust",)


@pytest.mark.slow
def test_who_succeeded_a_chief_executive_named_by_role(real_settings):
    result = Assistant(real_settings).ask(
        "Who succeeded the long-serving chief executives at North Staffordshire and South West "
        "Yorkshire?"
    )
    assert "Peter Axon became chief executive" in result.answer
    assert "Rob Webster took over in 2016" in result.answer
    assert "long-serving" not in analyse("Who succeeded the long-serving chief exec?").focus


@pytest.mark.slow
def test_which_trusts_a_publication_revisited_includes_those_beyond_the_seven(real_settings):
    assistant = Assistant(real_settings)
    every = assistant.ask(
        "Which four trusts did CQC revisit for its 2020 Sustaining improvement work?"
    )
    assert every.answer.startswith(
        "Matching material is found for two of the seven trusts, and for two other trusts:"
    )
    assert "**Cambridge University Hospitals" in every.answer
    seven = assistant.ask(
        "Which of the seven trusts did the Sustaining improvement report revisit?"
    )
    assert "Cambridge" not in seven.answer and "**Lincolnshire Partnership" in seven.answer


@pytest.mark.slow
def test_an_organisation_named_by_its_places_outside_the_seven_is_not_answered(real_settings):
    assistant = Assistant(real_settings)
    norfolk = assistant.ask(
        "What did Norfolk and Suffolk do to get itself out of special measures?"
    )
    assert norfolk.abstained and norfolk.answer.startswith(
        "Norfolk and Suffolk is not one of the trusts the documents cover"
    )
    assert not assistant.ask("What did Mark Hindle do to change the culture?").abstained
    assert not assistant.ask("What did Creative Minds do?").abstained  # SWYPFT's scheme


def test_which_trusts_keeps_a_trust_whose_done_line_leads_a_stronger_finding():
    from assistant._extractive import Group, Scored, _strongest_first

    def pick(score: float) -> Scored:
        return Scored(_sentence("The trust opened a new unit in 2017."), 1.0, 1.0, score)

    strong = Group(OXLEAS, OXLEAS, [pick(0.85)], strength=0.85)
    # what was done leads (0.62), but the trust's finding scored 0.74: near the strongest
    acted = Group(SWYPFT, SWYPFT, [pick(0.62)], strength=0.74)
    weak = Group(NSCHT, NSCHT, [pick(0.5)], strength=0.5)
    kept = _strongest_first([strong, acted, weak])
    assert [g.trust for g in kept] == [OXLEAS, SWYPFT]


def _sentence(text: str):
    from assistant._sentences import split_passage

    return split_passage(chunk(text))[0]


@pytest.mark.parametrize(
    ("question", "make_up"),
    [
        ("How did the trusts in the report reduce agency spend?", False),
        ("Which trusts did well on staff engagement in the study?", False),
        ("Which trusts were in the report?", True),
    ],
)
def test_trusts_in_the_report_doing_something_is_no_question_of_make_up(question, make_up):
    assert asks_make_up(question) is make_up


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("Which of the seven themes was most common?", "how_what"),  # seven things, no trusts
        ("Summarise how Oxleas cut its turnover", "how_what"),  # no figure asked
        ("In what ways did Oxleas reduce its deficit", "how_what"),
        ("Oxleas annual income 2019/20?", "figure"),
    ],
)
def test_question_types_the_review_found_wrong(question, answer_type):
    assert analyse(question).answer_type == answer_type


def test_clauses_read_only_as_far_as_they_go():
    assert not asks_cause("What was the initiative which put patients first?")
    assert "published" not in analyse("What came out of the staff survey?").focus
    assert "left" in analyse("Where did he go?").focus
    assert (
        "moved" in analyse("Which wards moved?").focus
        and "left" not in analyse("Which wards moved?").focus
    )
    shared = analyse("Compare Oxleas's and SWYPFT's 2019 staff survey results")
    assert own_topics(shared) == {} and years_by_trust(shared) == {}
    assert own_topics(analyse("How did Oxleas's staff and SWYPFT's staff respond?")) == {}


def test_a_rating_reached_then_kept_still_dates_it():
    from assistant._extractive import _only_keeps_rating

    reached = analyse("When was Lincolnshire rated outstanding?")
    assert not _only_keeps_rating(
        "It was rated outstanding in 2019 and remained outstanding.", reached
    )
    assert not _only_keeps_rating("It then kept that improvement and reached outstanding.", reached)
    kept = analyse("When was each of the seven trusts' good rating announced by CQC?")
    assert _only_keeps_rating("The trust stayed good overall and was rated good in all five.", kept)


@pytest.mark.slow
def test_a_sentence_brought_along_is_quoted_once(real_settings):
    result = Assistant(real_settings).ask(
        "How did the Oxleas and Somerset leaders credit staff for their good ratings?"
    )
    somerset = result.answer.split("**Somerset Partnership NHS Foundation Trust**")[1]
    assert somerset.count("accepted there was more to do") == 1


def test_a_quote_is_shown_only_when_verbatim_in_its_passage():
    from assistant._sentences import SentenceBank

    text = (
        "Nick Broughton said he was delighted. Broughton accepted there was more to do.\n\n"
        "- first item of the list;\n- second."
    )
    bank = SentenceBank()
    sentence = split_passage(chunk(text))[0]
    assert bank.quotes_from(sentence)
    twice = dataclasses.replace(
        sentence, quote="Broughton accepted there was more to do. [Nick] Broughton said he"
    )
    assert not bank.quotes_from(twice)  # words the passage does not hold in that order
    listed = "Broughton accepted there was more to do. first item of the list;"
    assert bank.quotes_from(dataclasses.replace(sentence, quote=listed))  # bullets are no words


@pytest.mark.slow
def test_methods_from_abroad_are_the_overseas_ones(real_settings):
    result = Assistant(real_settings).ask(
        "Which trusts used quality improvement methods from abroad?"
    )
    assert "overseas models (Jönköping and Dartmouth)" in result.answer


@pytest.mark.slow
def test_a_year_in_the_paragraphs_label_dates_its_lines(real_settings):
    result = Assistant(real_settings).ask(
        "What did CQC find about patient involvement at Lincolnshire Partnership in 2017 and at "
        "Sheffield in 2018?"
    )
    assert "shaping how services were designed" in result.answer  # under "CQC findings in 2018."
    assert (
        Assistant(real_settings)
        .ask("What did CQC find when it inspected Somerset Partnership in 2013?")
        .abstained
    )


@pytest.mark.slow
def test_getting_worse_is_a_rating_that_fell(real_settings):
    question = "did any of the seven get worse again after the report came out?"
    assert analyse(question).answer_type == "trust"
    result = Assistant(real_settings).ask(question)
    assert "put the trust back to Requires Improvement overall" in result.answer  # SWYPFT's fall
    assert "published in August 2021" not in result.answer  # "came out" is the scene here


def test_what_the_asker_will_do_with_the_answer_is_no_topic():
    analysis = analyse(
        "I'm a new NED at a trust rated RI - what's the one thing these trusts did that I should "
        "push our board on?"
    )
    assert "board" not in analysis.focus and "push" not in analysis.focus
    assert "board" in analyse("How did Sheffield's board change after the rating?").focus


def test_the_first_trusts_rated_outstanding_is_no_reaction_to_a_first_rating():
    assert analyse("Which were the first mental health trusts rated outstanding?").themes == ()
    assert "reaction" in analyse("What did the trusts do after a poor first rating?").themes


@pytest.mark.slow
def test_a_title_asked_for_is_the_quoted_title(real_settings):
    result = Assistant(real_settings).ask(
        "What was the title of CQC's press release for the report?"
    )
    assert "Strong leadership essential" in result.answer


@pytest.mark.slow
def test_slipping_back_to_a_rating_is_a_fall_not_a_first_rating(real_settings):
    result = Assistant(real_settings).ask(
        "Which trusts later slipped back to requires improvement?"
    )
    assert "South West Yorkshire" in result.answer and "Sheffield" in result.answer
    assert "Somerset" not in result.answer and "Lincolnshire" not in result.answer


def test_the_year_of_a_rating_is_that_of_the_part_that_gives_it():
    from assistant._extractive import _year_of_rating

    journey = (
        "Rating journey: […] 30 November to 4 December 2015 inspection: requires improvement "
        "overall. […] Caring and responsive were rated good. […] Five-day inspection in April "
        "2017, announced 8 June 2017: good overall."
    )
    assert _year_of_rating(journey, "good") == "2017"
    assert _year_of_rating("On 30 March 2017 CQC raised the overall rating to Good.", "good") == (
        "2017"
    )
    assert _year_of_rating("Staff were kind.", "good") == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Who led Lincolnshire Partnership when it was rated good?", "John Brewin"),
        ("Who was the chief executive of South West Yorkshire when it became good?", "Webster"),
        ("Who was chief executive of Somerset in 2019?", "Peter Lewis"),
        ("Who was in charge at Sheffield when it got its good rating?", "Kevan Taylor"),
    ],
)
def test_who_held_a_post_when_a_rating_came_or_in_a_year_after_taking_it(
    real_settings, question, named
):
    result = Assistant(real_settings).ask(question)
    assert not result.abstained
    assert named in result.answer.split("\n- ")[1]  # the first line names them


def test_the_next_inspection_is_not_the_next_steps_theme():
    assert "next_steps" not in analyse("When was Sheffield next inspected?").themes
    assert "next_steps" in analyse("What did Oxleas plan to do next?").themes


@pytest.mark.slow
def test_a_comparison_side_far_from_the_topic_says_nothing_on_it(real_settings):
    result = Assistant(real_settings).ask(
        "Compare the smoking cessation work at Oxleas and Lincolnshire."
    )
    assert result.coverage == "partial"
    assert "63%" in result.answer
    lincolnshire = result.answer.split("**Lincolnshire Partnership NHS Foundation Trust**")[1]
    assert "The documents say nothing on this for Lincolnshire Partnership." in lincolnshire
    assert not [c for c in result.citations if c.trust.startswith("Lincolnshire")]


def test_a_lead_in_that_only_says_why_one_asks_is_no_topic():
    analysis = analyse("Board away day prep: what were the key themes in the 2018 report?")
    assert "prep" not in analysis.focus.lower() and "board" not in analysis.focus.lower()
    assert "survey" in analyse("Staff survey: what did Oxleas find?").focus.lower()
    compared = analyse("Comparing Oxleas and Somerset Partnership: how did their ratings move?")
    assert compared.outside == () and len(compared.trusts) == 2


@pytest.mark.slow
def test_the_key_themes_are_each_named(real_settings):
    result = Assistant(real_settings).ask(
        "Board away day prep: what were the key themes or enablers CQC identified in its 2018 "
        "Driving improvement report?"
    )
    assert "- **Outward looking** — " in result.answer
    assert "- **Relationship with CQC** — " in result.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "found", "not_found"),
    [
        (
            "Why was Oxleas rated requires improvement in 2016?",
            "heavy bed pressure",
            "April 2016 comprehensive inspection: requires improvement overall",
        ),
        (
            "Why was South West Yorkshire rated requires improvement?",
            "safer-staffing levels",
            "rated the trust Requires Improvement overall",
        ),
    ],
)
def test_why_a_rating_was_given_is_answered_by_the_findings(
    real_settings, question, found, not_found
):
    result = Assistant(real_settings).ask(question)
    assert found in result.answer and not_found not in result.answer


@pytest.mark.slow
def test_a_leaning_second_part_still_gets_the_first_part_answered(real_settings):
    result = Assistant(real_settings).ask(
        "Why was Oxleas rated requires improvement in 2016, and what did CQC tell the trust it "
        "had to stop or fix?"
    )
    assert "heavy bed pressure" in result.answer and "lounge sofas" in result.answer


@pytest.mark.slow
def test_which_trusts_lists_every_trust_whose_line_holds_the_weightiest_word(real_settings):
    result = Assistant(real_settings).ask("Which trusts drew on overseas models such as Dartmouth?")
    assert "**Sheffield Health and Social Care NHS Foundation Trust**" in result.answer
    assert "**South West Yorkshire Partnership NHS Foundation Trust**" in result.answer
    assert "ones" not in analyse("Which ones drew on overseas models such as Dartmouth?").focus


def test_a_year_in_an_after_clause_starts_a_range_and_a_leading_when_clause_is_no_when():
    analysis = analyse(
        "How did Lincolnshire make its wards safer after getting marked down on safety in 2015?"
    )
    assert analysis.years == () and analysis.since == 2015
    assert analyse("What happened at Oxleas in 2019 after the 2016 rating?").years == ("2019",)
    leading = analyse("When Oxleas got its good rating in 2017, what did it do next?")
    assert leading.answer_type == "how_what"
    assert analyse("When was Oxleas rated good?").answer_type == "date"


def test_a_question_about_something_like_this_keeps_what_this_is():
    analysis = analyse(
        "We're thinking of trialling an early-warning checklist for aggression. Oxleas did "
        "something like this, didn't they? How much did incidents come down afterwards?"
    )
    assert "checklist" in analysis.focus and "aggression" in analysis.focus
    assert "didn't" not in analysis.focus and "something" not in analysis.focus
    who = analyse("I'm a new NED at a trust. Did Oxleas do something like this?")
    assert "NED" not in who.focus


def test_how_each_of_them_turned_things_round_keeps_the_sentence_naming_them():
    analysis = analyse(
        "Somerset and Calderstones both had big problems in learning disability services. How "
        "did each of them turn things round?"
    )
    assert len(analysis.trusts) == 2 and "learning" in analysis.focus
    assert analysis.action  # turning things round is something done


def test_the_trusts_featured_in_the_report_are_the_seven_not_the_reports_make_up():
    question = (
        "Did any of the trusts featured in the Driving improvement report end up merging with "
        "another NHS body?"
    )
    assert not asks_make_up(question)
    assert analyse(question).scope == "all_trusts"
    assert "report" not in analyse(question).focus
    assert asks_make_up("Why did CQC pick these trusts for the report?")
    assert "don't" not in analyse("Which trusts don't exist as separate bodies now?").focus


@pytest.mark.slow
def test_an_inspection_of_a_year_the_documents_do_not_name_is_said_to_be_absent(real_settings):
    assistant = Assistant(real_settings)
    absent = assistant.ask("What overall rating did Oxleas receive after its 2024 inspection?")
    assert absent.abstained and absent.missing == [
        "The documents mention no 2024 inspection for Oxleas."
    ]
    assert not assistant.ask("How did Oxleas do at its 2019 inspection?").abstained


def test_the_reviewers_triggers_read_as_they_should():
    assert "cessation" in analyse("Smoking cessation: what did Oxleas do?").focus.lower()
    assert asks_make_up("Why did these trusts feature in the report?")
    assert asks_make_up("How did the seven trusts featured in CQC's report get chosen?")
    assert analyse("When was Oxleas last inspected, what did CQC find?").answer_type == "date"
    assert "breakdown" in analyse("Was there a breakdown in communication at Oxleas?").focus
    assert "survey" in analyse("What topics were covered in the staff survey report?").focus
    initial = analyse("What did Oxleas find at its initial inspection, before it was rated good?")
    assert "reaction" in initial.themes
    assert "next_steps" in analyse("What were Lincolnshire's plans for its next rating?").themes
    background = analyse(
        "We had a never event on our ward in 2019. How did each of them handle serious incidents?"
    )
    assert "never" not in background.focus and "incidents" in background.focus


@pytest.mark.slow
def test_why_a_good_rating_came_and_which_trusts_share_a_common_word(real_settings):
    assistant = Assistant(real_settings)
    good = assistant.ask("Why was Oxleas rated good in 2017?")
    assert "became good overall" in good.answer  # not read as a question on what went wrong
    staffing = assistant.ask("Which trusts had staffing problems at their first inspection?")
    assert "Hartsholme" not in staffing.answer  # a 2022 closure is no first inspection


@pytest.mark.slow
def test_the_same_problem_is_the_one_said_before_the_dash(real_settings):
    question = (
        "my trust's just been rated requires improvement for safe - which of these trusts had "
        "the same problem?"
    )
    assert "safe" in analyse(question).focus
    result = Assistant(real_settings).ask(question)
    assert "Requires Improvement for safe" in result.answer or "requires improvement for safe" in (
        result.answer
    )


@pytest.mark.slow
def test_a_rating_premise_not_so_is_answered_with_the_ratings_it_had(real_settings):
    assistant = Assistant(real_settings)
    somerset = assistant.ask("Why was Somerset rated inadequate in 2016?")
    assert somerset.answer.startswith(
        "The documents do not say Somerset Partnership was rated inadequate in 2016."
    )
    assert "requires improvement overall" in somerset.answer
    lincs = assistant.ask("Why did Lincolnshire's rating drop to requires improvement in 2019?")
    assert "good overall and outstanding for well-led" in lincs.answer  # its 2019 ratings
    assert assistant.ask("What rating did CQC give Oxleas in 2024?").abstained  # no premise


def test_asides_seasons_and_unwritten_compounds_are_not_what_is_asked():
    from assistant._extractive import _compound_parts

    nutshell = analyse("What was CQC's Sustaining improvement work, in a nutshell?")
    assert "nutshell" not in nutshell.focus
    assert "summer" not in analyse("What did Oxleas get in summer 2016?").focus
    assert "summer" in analyse("What did Oxleas run over the summer?").focus
    idf = {"place": 1.0, "safeti": 1.0, "outofarea": 3.0, "area": 1.0}
    parts, unwritten = _compound_parts("places-of-safety out-of-area", idf)
    assert "area" in parts and "place" not in parts and unwritten == {"placesofsafeti"}


def test_a_start_year_tells_how_long():
    from assistant._sentences import FIGURE_PATTERNS

    assert FIGURE_PATTERNS["duration"].search("Steven Michael had led the trust since 2006.")
    assert FIGURE_PATTERNS["duration"].search("He had been chief executive for three years.")
    assert not FIGURE_PATTERNS["duration"].search("He retired in 2016.")


@pytest.mark.slow
def test_figures_and_names_said_in_other_words_are_found(real_settings):
    assistant = Assistant(real_settings)
    pot = assistant.ask(
        "How much money did Lincolnshire Partnership get from the Department of Health's "
        "places-of-safety pot in summer 2016?"
    )
    assert "£405,895" in pot.answer
    top = assistant.ask("Who came top of the Health and Care's Top 70 Stars list?")
    assert "Bijay Sinha" in top.answer  # the list is named in the section's heading
    revisits = assistant.ask("How many trusts did CQC's Sustaining improvement go back to?")
    assert "went back to four of them" in revisits.answer  # "them": the trusts before it
    tenure = assistant.ask(
        "How long had Steven Michael been running South West Yorkshire Partnership?"
    )
    assert "since 2006" in tenure.answer


def test_everyday_words_for_the_cqc_relationship_and_neighbours_are_read():
    dealings = analyse("How did Oxleas and North Staffs Combined describe their dealings with CQC?")
    assert "Combined" not in dealings.focus  # part of the trust's name
    assert dealings.themes == ("relationship_with_cqc",)
    assert "relationship_with_cqc" in analyse("How did CQC keep tabs on SWYPFT?").themes
    door = analyse("How did Somerset Partnership work with the acute trust next door?")
    assert "next_steps" not in door.themes and "door" not in door.focus
    assert "reaction" in analyse("What was wrong when CQC first went in at Oxleas?").themes


@pytest.mark.slow
def test_what_was_wrong_and_what_was_cut_are_answered_on_the_point(real_settings):
    assistant = Assistant(real_settings)
    wrong = assistant.ask("What was actually wrong on Oxleas's acute wards when CQC first went in?")
    assert "shortage of beds" in wrong.answer
    assert "significant improvement on every acute inpatient ward" not in wrong.answer
    restraint = assistant.ask(
        "How did trusts go about cutting restraint, seclusion and other restrictive practice?"
    )
    assert "cut sickness absence" not in restraint.answer  # "cut" alone is no restraint
    assert "new policy on restrictive practice" in restraint.answer
    door = assistant.ask("How did Somerset Partnership work with the acute trust next door?")
    assert "Taunton and Somerset NHS Foundation Trust" in door.answer


def test_alternatives_apart_and_everyday_verbs_are_read_as_asked():
    merging = analyse(
        "Which of the featured trusts ended up merging with or being absorbed into another NHS "
        "organisation?"
    )
    assert "ended" not in merging.focus and "merging" in merging.focus
    assert "tabs" not in analyse("How did CQC keep tabs on SWYPFT after 2016?").focus


@pytest.mark.slow
def test_falls_mergers_and_newcomers_are_found_in_other_words(real_settings):
    assistant = Assistant(real_settings)
    slipped = assistant.ask("Did any of these trusts slip back down after being rated good?")
    assert "South West Yorkshire" in slipped.answer and "Sheffield" in slipped.answer
    merged = assistant.ask(
        "Which of the featured trusts ended up merging with or being absorbed into another NHS "
        "organisation?"
    )
    assert "Calderstones" in merged.answer and "Somerset" in merged.answer
    incoming = assistant.ask(
        "Who were the incoming chief executives at South West Yorkshire and at Sheffield?"
    )
    assert "Rob Webster" in incoming.answer and "Jan Ditheridge" in incoming.answer
    tabs = assistant.ask("How did CQC keep tabs on South West Yorkshire after the 2016 report?")
    assert "a focused follow-up in December 2016" in tabs.answer


@pytest.mark.slow
def test_a_titled_reports_date_is_its_own_and_a_report_on_names_it(real_settings):
    assistant = Assistant(real_settings)
    when = assistant.ask("When was the Driving improvement report published?")
    assert "15 March 2018" in when.answer and "5 October 2018" not in when.answer
    two_part = assistant.ask(
        "How many trusts did CQC feature in its mental health Driving improvement report, and "
        "when was it published?"
    )
    assert "seven" in two_part.answer and "15 March 2018" in two_part.answer
    acute = assistant.ask(
        "On what date did CQC put out its Driving improvement report on the eight acute trusts?"
    )
    assert "14 June 2017" in acute.answer


@pytest.mark.slow
def test_a_why_question_dated_to_the_wrong_year_is_answered_from_the_right_one(real_settings):
    assistant = Assistant(real_settings)
    ward = assistant.ask("Why did Lincolnshire open the Ash Villa ward in 2019?")
    assert ward.answer.startswith("The documents say nothing on")
    assert "1 March 2021" in ward.answer and "would not be complacent" not in ward.answer
    measures = assistant.ask("Why did Sheffield get special measures in 2016?")
    assert "January–February 2020" in measures.answer
    staff = assistant.ask(
        "Is there evidence that staff at these trusts felt safer raising concerns?"
    )
    assert "comfortable speaking up" in staff.answer  # raising concerns is speaking up


def test_names_roles_funders_and_extents_are_read_as_meant():
    joined = analyse("who was the shared medical director between Calderstones and Mersey Care?")
    assert [o.name for o in joined.organisations][1:] == ["Mersey Care"]
    funder = analyse("Who put money into the Sheffield microsystem coaching academy?")
    assert funder.answer_type == "organisation" and "funded" in funder.focus
    assert analyse("Who did the trusts team up with?").answer_type == "organisation"
    assert analyse("How far were the trusts plugged into local systems?").answer_type != "figure"
    assert analyse("How far did Lincolnshire patients travel for a bed?").answer_type == "figure"
    assert analyse("What did the Health Secretary say about the report?").names == ()
    assert person_names("Jonathan O'Brien, executive director, said so.") == ["Jonathan O'Brien"]
    assert person_names("Dr Jane McDonald said so.") == ["Dr Jane McDonald"]
    assert holds("Jonathan O'Brien said staff were buzzing.", "person", asked=frozenset({"talked"}))
    assert not holds("Jonathan O'Brien said so.", "person", asked=frozenset({"talk", "to"}))


@pytest.mark.slow
def test_questions_phrased_far_from_the_documents_are_still_answered(real_settings):
    assistant = Assistant(real_settings)
    shared = assistant.ask(
        "who was the shared medical director between Calderstones and Mersey Care?"
    )
    assert "Dr David Fearnley" in shared.answer
    money = assistant.ask("Who put money into the Sheffield microsystem coaching academy?")
    assert "£420,000" in money.answer and "Health Foundation" in money.answer
    buzz = assistant.ask(
        "At North Staffs, which executive talked about how staff felt the day Outstanding was "
        "announced?"
    )
    assert "Jonathan O'Brien" in buzz.answer
    surplus = assistant.ask(
        "company sec q: by mid-2017 how many years in a row had North Staffs Combined made a "
        "surplus?"
    )
    assert "18th year running" in surplus.answer
    values = assistant.ask("did any of the seven rewrite their vision or values?")
    assert not values.abstained and "rewrote these with staff" in values.answer
    hunt = assistant.ask("What did the Health Secretary say the NHS was aiming to be?")
    assert "the safest healthcare system in the world" in hunt.answer
    partners = assistant.ask(
        "Who did these trusts team up with outside their own walls - police, other trusts, the "
        "wider system?"
    )
    assert not partners.abstained and "Taunton and Somerset" in partners.answer


@pytest.mark.slow
def test_a_rating_said_to_be_kept_is_checked_against_later_ratings(real_settings):
    assistant = Assistant(real_settings)
    kept = assistant.ask(
        "Sheffield has held on to its good rating since the 2017 upgrade - what's kept it there?"
    )
    assert kept.answer.startswith(
        "The documents do not say Sheffield Health and Social Care kept its good rating."
    )
    assert "rated Requires Improvement overall again" in kept.answer
    assert not assistant.ask("How has Oxleas kept its good rating?").missing  # it did
    assert not assistant.ask("Has North Staffordshire stayed outstanding?").missing
    money = assistant.ask(
        "how much did Lincolnshire get out of the DH places-of-safety money in summer 2016?"
    )
    assert "£405,895" in money.answer  # DH: the Department of Health


@pytest.mark.slow
def test_how_one_trust_fared_at_an_inspection_is_its_rating_and_findings(real_settings):
    assistant = Assistant(real_settings)
    results = assistant.ask("What were the CQC inspection results for Calderstones in 2015?")
    assert "On 9 February 2016 CQC rated the trust Good" in results.answer  # its report, 2016
    fared = assistant.ask("How did Oxleas fare at its 2019 inspection?")
    assert "stayed good overall" in fared.answer


def test_how_many_years_is_a_duration_and_a_span_of_years_tells_it():
    from assistant._sentences import FIGURE_PATTERNS

    assert analyse("How many years was Donovan chief executive?").figure_kind == "duration"
    assert analyse("How many years in a row had it made a surplus?").figure_kind != "duration"
    duration = FIGURE_PATTERNS["duration"]
    assert duration.search("She was chief executive from 2013 to 2016.")
    assert duration.search("He led it between 2014 and 2019.")
    assert not duration.search("It grew in 2016 and 2017.")


def test_the_reviewers_cases_read_as_ordinary_questions():
    from assistant._extractive import _lists_examples
    from assistant._sentences import FIGURE_PATTERNS

    assert "Well-led" in analyse("Well-led question: what did CQC find at Oxleas?").focus
    assert "relationship_with_cqc" not in analyse("How did it keep tabs on agency spending?").themes
    assert "next_steps" in analyse("What happens next to Calderstones?").themes
    assert analyse("Who did Rob Webster work closely with?").answer_type == "person"
    assert analyse("How far is Calderstones from Liverpool?").answer_type == "figure"
    assert "short" in analyse("Were nurses in short supply at Sheffield?").focus
    assert "winter" in analyse("What did the winter 2018 report say?").focus
    assert analyse("What did Paul Nurse say?").names == ("Paul Nurse",)
    assert "reaction" not in analyse("Who came first in the Top 70 Stars?").themes
    assert not _lists_examples(
        "What did staff like about working there, and what did they dislike?"
    )
    assert not FIGURE_PATTERNS["duration"].search("the 2019 to 2024 strategy")
    assert "received" not in analyse("How did Calderstones get out of special measures?").focus


@pytest.mark.slow
def test_keeping_good_staff_is_no_rating_kept(real_settings):
    assistant = Assistant(real_settings)
    assert not assistant.ask("How did Sheffield keep good staff?").missing
    fared = assistant.ask("How did Oxleas fare at its 2019 inspection?")
    assert "October 2020" not in fared.answer  # another, later inspection
    solved = assistant.ask("What problems did Sheffield solve after 2014?")
    assert not solved.abstained


@pytest.mark.slow
def test_a_body_asked_about_as_one_of_the_seven_is_said_not_to_be(real_settings):
    assistant = Assistant(real_settings)
    lancashire = assistant.ask("Did the Lancashire Care trust feature in the report?")
    assert lancashire.abstained and "is not one of the trusts" in lancashire.answer
    mersey = assistant.ask("What did Mersey Care do after taking over Calderstones?")
    assert not mersey.abstained  # about it, not asked as a case study


def test_sizes_counts_and_events_are_read_as_asked():
    from assistant._extractive import _counted

    staff = analyse(
        "Roughly how big was Calderstones staff-wise while it was turning itself round?"
    )
    assert staff.answer_type == "figure" and "size" in staff.focus
    assert "turning" not in staff.focus  # when, not what about
    assert "size" not in analyse("How big was the Health Foundation grant?").focus  # money
    assert "coach" in _counted("How many improvement coaches has the academy trained?")
    assert "mental health" in analyse("how many MH trusts were rated requires improvement?").focus
    round_ = analyse("How many trusts were requires improvement after CQC's first round of visits?")
    assert "reaction" not in round_.themes  # a time in the country's story, not a reaction
    assert analyse("Compare how Oxleas and Somerset handled their first poor ratings.").action


@pytest.mark.slow
def test_sizes_counts_events_and_unknown_kinds_are_answered_as_asked(real_settings):
    assistant = Assistant(real_settings)
    size = assistant.ask("Roughly how big was Calderstones staff-wise? Whole-time numbers?")
    assert "1,396 full-time-equivalent staff" in size.answer
    coaches = assistant.ask("How many improvement coaches has the Sheffield academy trained?")
    assert "195 coaches" in coaches.answer
    announced = assistant.ask("When did North Staffs announce it had moved up to good?")
    assert "21 February 2017" in announced.answer
    record = assistant.ask("Which electronic patient record system did Somerset bring in?")
    assert record.abstained and "electronic patient record system" in record.answer
    method = assistant.ask("Which quality improvement method did Sheffield use?")
    assert not method.abstained and "microsystem" in method.answer
    rag = assistant.ask("Did any trust move away from RAG-rated dashboards?")
    assert "do not mention" not in rag.answer  # "RAG ratings" is the same thing


def test_joining_partners_inspection_years_and_slipped_names_are_read_as_asked():
    from assistant._answerability import Speller, mend

    merged = analyse("Which trust did Somerset Partnership end up merging with?")
    assert merged.answer_type == "organisation"  # the partner, not one of the seven
    rated = analyse("Why was Oxleas rated inadequate overall after its 2016 inspection?")
    assert rated.years == ("2016",) and not rated.since  # that inspection's rating
    assert analyse("What has Oxleas done since its 2016 inspection?").since == 2016
    speller = Speller(["lincoln", "lincolnshir", "partnership"], lambda stem: stem == "lincoln")
    assert "Lincolnshire" in mend("Lincolnshre Partnership's bed use?", speller)


@pytest.mark.slow
def test_premises_dated_wrongly_and_people_leaned_on_are_answered(real_settings):
    assistant = Assistant(real_settings)
    inadequate = assistant.ask("Why was Oxleas rated inadequate overall after its 2016 inspection?")
    assert inadequate.answer.startswith("The documents do not say Oxleas was rated inadequate")
    assert "requires improvement overall" in inadequate.answer
    dated = assistant.ask(
        "NSCHT was rated outstanding back in February 2017 - which key questions did it get "
        "outstanding for?"
    )
    assert "do not say North Staffordshire Combined Healthcare was rated outstanding in 2017" in (
        dated.answer
    )
    assert "28 March 2019" in dated.answer
    led = assistant.ask(
        "Who led Somerset Partnership through its turnaround to good, and where did that leader "
        "go afterwards?"
    )
    assert "Nick Broughton" in led.answer and "Southern Health" in led.answer
    merged = assistant.ask(
        "Which trust did Somerset Partnership end up merging with, and when did the merger go "
        "through?"
    )
    assert "Taunton and Somerset" in merged.answer and "1 April 2020" in merged.answer
    slipped = assistant.ask(
        "How much did Lincolnshre Partnership's out of area bed use fall in 2018?"
    )
    assert "43%" in slipped.answer


def test_examples_of_a_theme_and_everyday_phrases_are_read_as_meant():
    lived = analyse("Give me examples of people with lived experience being given real roles.")
    assert "involving_patients" in lived.themes and lived.scope == "all_trusts"
    ligatures = analyse("Has anyone got good examples of getting a grip on ligature risks?")
    assert ligatures.scope != "all_trusts"  # no theme: the trusts whose lines answer it
    posted = analyse("How did trusts keep staff, carers and the public posted on progress?")
    assert "updates" in posted.focus and "carers" in posted.focus
    police = analyse("Any examples of the featured trusts working with the Department of Health?")
    assert police.scope == "all_trusts"  # the trusts' work with a body, not the body's words
    assert analyse("What did the Department of Health say about the trusts?").scope == "report"


@pytest.mark.slow
def test_progress_told_and_inspectors_words_are_found(real_settings):
    assistant = Assistant(real_settings)
    posted = assistant.ask(
        "How did the trusts keep staff posted on progress after their inspections?"
    )
    assert "public progress chart" in posted.answer
    loop = assistant.ask("How did Calderstones keep carers in the loop after its 2014 report?")
    assert not loop.abstained
    culture = assistant.ask(
        "Oxleas and Sheffield - how did inspectors describe the staff culture at their 2019 and "
        "2020 inspections?"
    )
    assert "not caring and compassionate" in culture.answer
    counted = assistant.ask("How many inspectors visited Oxleas in 2016?")
    assert counted.abstained  # inspectors counted are not any line on CQC


def test_a_season_before_a_year_still_dates_the_question():
    assert analyse("How did they do when CQC went back in late 2018?").years == ("2018",)
    assert analyse("When NSCHT got its good rating in early 2017, what next?").years == ("2017",)


@pytest.mark.slow
def test_how_a_trust_did_when_cqc_went_back_is_its_rating_then(real_settings):
    assistant = Assistant(real_settings)
    back = assistant.ask(
        "And how did they do when CQC went back in late 2018?",
        history=["What was Lincolnshire Partnership rated after its 2015 inspection?"],
    )
    assert "outstanding for well-led" in back.answer and "2025" not in back.answer


def test_who_got_there_quicker_is_asked_by_the_dates():
    quicker = analyse("Who got from requires improvement to good quicker, Oxleas or Somerset?")
    assert quicker.answer_type == "date"


@pytest.mark.slow
def test_from_one_rating_to_another_takes_the_first_of_each_in_turn(real_settings):
    answer = Assistant(real_settings).ask(
        "How long did it take North Staffordshire to go from requires improvement to outstanding?"
    )
    assert "September 2015" in answer.answer and "28 March 2019" in answer.answer
    assert answer.answer.index("September 2015") < answer.answer.index("28 March 2019")


def test_names_scores_and_partners_are_asked_for_as_meant():
    assert analyse("what was that person's name?").answer_type == "person"
    assert analyse("Can you name the nurse CQC profiled?").answer_type == "person"
    assert analyse("who did oxleas work with on its QI approach?").answer_type == "organisation"
    assert analyse("Who did Rob Webster work closely with?").answer_type == "person"
    assert analyse("Calderstones - who was the chief exec brought in?").answer_type == "person"
    assert analyse("Oxleas: when was it rated good?").answer_type == "date"
    asked_first = "What do we know about staff at Somerset - who got the credit for it?"
    assert analyse(asked_first).answer_type != "person"  # a question of its own, no topic
    assert analyse("What was SWYPFT's staff engagement score in 2017?").figure_kind == "score"
    assert not holds("It described its system at four levels.", "figure", "score")
    assert holds("Its engagement score was 3.9.", "figure", "score")


@pytest.mark.slow
def test_unnamed_people_and_absent_scores_are_said_plainly_and_visits_are_inspections(
    real_settings,
):
    assistant = Assistant(real_settings)
    nurse = assistant.ask(
        "Nurses at NSCHT praised their new permanent director of nursing in 2016 - what was that "
        "person's name?"
    )
    assert nurse.abstained and "person's" not in nurse.answer
    score = assistant.ask("What was SWYPFT's staff engagement score in the 2017 NHS staff survey?")
    assert score.abstained
    visit = assistant.ask(
        "How did CQC's 2017 visit to Somerset Partnership end up covering the whole trust?"
    )
    assert "widened the visit" in visit.answer
    kings = assistant.ask("who did oxleas work with on there quality improvment approach in 2015")
    assert "King's Fund" in kings.answer


@pytest.mark.slow
def test_a_follow_up_on_the_trust_the_last_answer_named_is_about_that_trust(real_settings):
    assistant = Assistant(real_settings)
    after = assistant.ask(
        "what happened to it after it got rated good?",
        history=["Which of the seven trusts only provided learning disability services?"],
    )
    assert "Calderstones" in after.standalone_question and "Mersey Care" in after.answer
    plain = assistant.ask("what happened to it?", history=["What is a ligature heat map?"])
    assert plain.standalone_question.startswith("what happened to it")  # no trust to carry
    two_back = assistant.ask(
        "And what happened when it got taken over?",
        history=[
            "Which of the seven trusts only provided learning disability services?",
            "Who was running it during the turnaround?",
        ],
    )
    assert "Calderstones" in two_back.standalone_question  # the answer two turns back
    named_since = assistant.ask(
        "what happened to it?",
        history=["Which trust only provided learning disability services?", "And Oxleas?"],
    )
    assert "Calderstones" not in named_since.standalone_question
    moved_on = assistant.ask(
        "How does it work?",
        history=[
            "Which trust only provided learning disability services?",
            "Who was running it?",
            "What is a ligature heat map?",
        ],
    )
    assert "Calderstones" not in moved_on.standalone_question  # a turn on something else


def test_new_readings_leave_ordinary_questions_alone():
    assert analyse("Which trusts did well after the merger?").answer_type == "trust"
    assert analyse("Which trusts did the most to partner with patients?").answer_type == "trust"
    assert "size" not in analyse("How big a role did governors play at Oxleas?").focus
    assert "staff" not in analyse("What were the biggest challenges?").focus
    assert not analyse("How satisfied were staff who responded to the survey at Oxleas?").action
    assert not holds("It was announced on 21 February 2017.", "figure", "score")
    loop = analyse("How did Calderstones keep carers in the loop?")
    assert "updates" not in loop.focus  # only progress is given as updates


def test_asides_extents_and_the_words_for_a_figure_are_read_as_meant():
    healthwatch = analyse("I volunteer with Healthwatch. Across the trusts, who had a say?")
    assert "Healthwatch Across" not in healthwatch.names  # a new sentence, a new name
    lean = analyse("How much did the improving trusts lean on partners in the voluntary sector?")
    assert lean.answer_type != "figure" and lean.scope == "all_trusts"
    assert analyse("How much did Lincolnshire get from the fund?").answer_type == "figure"
    assert "numbers" not in analyse("What happened to incident numbers at Oxleas?").focus
    scores = analyse("What were Somerset Partnership's NHS staff survey engagement scores?")
    assert scores.answer_type == "figure" and scores.figure_kind == "score"
    assert analyse("Can you give me the names of the staff CQC profiled?").answer_type == "person"
    slipped = analyse("which of these seven slipped back after getting good?")
    assert slipped.answer_type == "trust"


@pytest.mark.slow
def test_a_key_questions_rating_asked_about_is_no_overall_premise(real_settings):
    answer = Assistant(real_settings).ask(
        "When did Lincolnshire first get outstanding for well-led?"
    )
    assert "do not say" not in answer.answer  # it was: in the late-2018 inspection
    assert "outstanding for well-led" in answer.answer


def test_what_a_sum_paid_for_is_no_figure():
    assert analyse("what did it pay for?").answer_type != "figure"
    assert analyse("What did Oxleas spend the money on?").answer_type != "figure"
    assert analyse("What did Oxleas spend on new IT systems?").answer_type == "figure"
    assert analyse("What did Oxleas pay for the consultants?").answer_type == "figure"


def test_there_and_after_that_lean_on_the_trust_and_the_rating_before():
    before = ["Which of the seven trusts went on to be rated outstanding overall? (Oxleas)"]
    asked = condense("Who took over as chief executive there straight after that?", before)
    assert "at Oxleas" in asked and "after the outstanding rating" in asked
    assert condense("Was there a staff survey?", ["How did Oxleas change its culture?"]) == (
        "Was there a staff survey at Oxleas NHS Foundation Trust?"  # "there" as in "is there"
    )


@pytest.mark.slow
def test_who_took_over_after_a_rating_is_who_became_it(real_settings):
    answer = Assistant(real_settings).ask(
        "Who took over as chief executive at North Staffordshire right after it was rated "
        "outstanding?"
    )
    assert answer.answer.split("\n- ")[1].startswith("Peter Axon became chief executive")


def test_who_a_trust_did_something_with_is_a_body_and_back_then_is_no_topic():
    trained = analyse("Who did SHSC train its first microsystem coaches with back in 2013?")
    assert trained.answer_type == "organisation" and "back" not in trained.focus.split()
    assert analyse("Who did Oxleas develop its QI approach with?").answer_type == "organisation"
    assert "back" in analyse("When did CQC go back to Oxleas?").focus.split()


def test_a_list_items_lead_in_says_what_the_item_is():
    text = (
        "Several ward-level changes stood out to inspectors in 2017:\n\n"
        "- Occupational therapy staff moved to seven-day working, so activities ran daily.\n"
        "- A smoking cessation project combined education sessions with checks.\n\n"
        "Later the trust board met every month to review its whole action plan."
    )
    words = {s.text[:10]: s.tokens for s in split_passage(chunk(text))}
    assert "ward" in words["Occupation"] and "inspector" in " ".join(words["A smoking "])
    assert "ward" not in words["Later the "]  # a paragraph after the list is no item


def test_a_request_for_an_example_asks_about_what_was_said_before_it():
    asked = analyse(
        "As a governor I'm interested in how families' voices reached the board at NSCHT. "
        "Is there a concrete example?"
    )
    assert {"families", "voices", "board"} <= set(asked.focus.split())
    assert not {"governor", "interested"} & set(asked.focus.split())
    assert analyse("As a new NED, I want to know how Oxleas engaged staff").focus == "engaged staff"
    assert analyse("Oxleas is big. Is Calderstones big?").focus == "big"  # the question alone


@pytest.mark.slow
def test_a_workforce_is_told_by_its_number_of_staff(real_settings):
    answer = Assistant(real_settings).ask("How big were the workforces at Oxleas and SWYPFT?")
    assert answer.coverage == "full" and "4,500 NHS staff" in answer.answer


def test_which_of_two_got_there_first_is_answered_by_the_dates():
    assert analyse("Which got to a good rating first, Calderstones or Somerset?").answer_type == (
        "date"
    )
    assert analyse("Who got to good sooner, Oxleas or SWYPFT?").answer_type == "date"
    assert analyse("Which trust was rated outstanding first?").answer_type == "trust"  # no pair


@pytest.mark.slow
def test_why_a_trust_was_given_a_rating_it_was_not_is_answered_for_the_one_it_was(real_settings):
    answer = Assistant(real_settings).ask(
        "Why was Oxleas rated inadequate overall after its 2016 inspection?"
    )
    assert answer.answer.startswith("The documents do not say Oxleas was rated inadequate")
    assert "requires improvement overall" in answer.answer and "bed pressure" in answer.answer


def test_there_after_a_verb_of_getting_or_being_is_no_place():
    before = ["How did Oxleas get to outstanding?"]
    assert "get there" in condense("How long did it take to get there?", before)  # not "get at"
    assert condense("Has there ever been a warning notice?", before).startswith("Has there ever")
    shared = condense("What happened after that?", ["What good practice did Oxleas share?"])
    assert "rating" not in shared  # good practice is no rating given
    assert "after the good rating" in condense(
        "Who was chief executive straight after that?",
        ["How did Oxleas go from requires improvement to good?"],
    )


def test_new_readings_leave_near_questions_alone():
    assert analyse("What vacancy rate was Oxleas aiming for?").answer_type == "figure"
    assert analyse("Which should a board prioritise first, culture or data?").answer_type != (
        "date"
    )
    assert "back" in analyse("What did the trust bring back in 2019?").focus.split()
    lead_in = "Oxleas cut restraint on its wards. "
    for ask in ("Can you point me to an example?", "Is there a case study?"):
        assert analyse(lead_in + ask).focus.startswith("cut restraint wards")


def test_a_trusts_name_says_nothing_of_partnerships_or_social_care():
    text = (
        "Somerset Partnership formed an alliance with the acute trust in May 2017. "
        "Sheffield Health and Social Care NHS Foundation Trust reported to councillors on pay. "
        "The partnership with the council covered social care for adults."
    )
    tokens = [s.tokens for s in split_passage(chunk(text))]
    assert "partnership" not in tokens[0] and "somerset" in tokens[0]
    assert "social" not in tokens[1] and "sheffield" in tokens[1]
    assert {"partnership", "social"} <= tokens[2]


def test_qi_is_read_as_the_notes_write_it():
    assert "quality improvement" in analyse("How did Oxleas build its QI approach?").focus
    tokens = split_passage(chunk("The trust chose to invest in an internally led QI approach."))
    assert set(tokenize(["quality improvement"])[0]) <= tokens[0].tokens


def test_asides_and_time_frames_are_no_topic():
    assert analyse("How did the trusts use data, e.g. SPC charts?").focus == "use data SPC charts"
    assert analyse("Who chaired Oxleas during its turnaround?").focus == "chaired"
    assert analyse("Who led the turnaround?").focus == "led turnaround"  # the turnaround is asked
    assert analyse("How did Oxleas manage its turnaround?").focus == "manage turnaround"


@pytest.mark.slow
def test_the_medical_directors_asked_about_are_no_other_directors(real_settings):
    answer = Assistant(real_settings).ask("Who were the medical directors at the trusts?")
    assert "Ify Okocha" in answer.answer and "Mike Hunter" in answer.answer
    assert (
        "Director of Nursing" not in answer.answer and "Director of Strategy" not in answer.answer
    )


@pytest.mark.slow
def test_from_one_rating_to_another_finds_the_first_good_behind_later_slips(real_settings):
    answer = Assistant(real_settings).ask(
        "How long did it take Sheffield to get from requires improvement to good?"
    )
    assert "2014: a comprehensive inspection" in answer.answer
    assert "On 30 March 2017 CQC raised the overall rating to Good." in answer.answer
    assert "May 2021" not in answer.answer  # a later slip back is no end of the climb


def test_a_very_short_follow_up_takes_the_question_it_points_back_at():
    worked = condense("Did it work?", ["What did Oxleas do about bed pressures?"])
    assert (
        worked == "Did it work: What did Oxleas do about bed pressures?"
    )  # not "Did Oxleas work?"
    assert condense("What about Oxleas?", ["How did Somerset respond to its 2015 rating?"]) == (
        "How did Oxleas NHS Foundation Trust respond to its rating?"  # 2015 was Somerset's
    )
    assert condense("What about Oxleas?", ["What did Somerset do in 2016?"]).endswith("in 2016?")


def test_review_short_follow_ups_years_and_names():
    before = ["What did Oxleas do about bed pressures?"]
    assert condense("Who chaired it?", before) == "Who chaired Oxleas NHS Foundation Trust?"
    assert condense("Why?", before) == "Why: What did Oxleas do about bed pressures?"
    assert condense(
        "What about Oxleas?", ["How did Somerset do in their 2015 and 2016 ratings?"]
    ) == ("How did Oxleas NHS Foundation Trust do in their ratings?")
    assert (
        analyse("Who set up the recovery college at Sheffield?").focus == "set up recovery college"
    )
    named = split_passage(chunk("Lincolnshire Combined services and Sheffield's social care grew."))
    assert "combin" in named[0].tokens and "social" in named[0].tokens


def test_the_top_things_to_copy_ask_for_the_reports_overview():
    from assistant._extractive import asks_for_overview

    asked = analyse(
        "Our trust just got requires improvement. What are the top things these trusts did in "
        "the first year that I could copy?"
    )
    assert asks_for_overview(asked)
    assert not asks_for_overview(analyse("What did the trusts do about restraint?"))


@pytest.mark.slow
def test_special_measures_is_a_premise_checked_against_the_trusts_notes(real_settings):
    assistant = Assistant(real_settings)
    oxleas = assistant.ask("Did Oxleas ever get special measures?")
    assert oxleas.answer.startswith("The documents do not say Oxleas was put in special measures.")
    assert "specialist development" not in oxleas.answer  # "special" is not "specialist"
    assert "April 2016 comprehensive inspection" in oxleas.answer  # its ratings instead
    sheffield = assistant.ask("Was Sheffield ever put in special measures?")
    assert "do not say" not in sheffield.answer and "special measures" in sheffield.answer
    dated = assistant.ask("Was SHSC in special measures in 2016?")
    assert "special measures in 2016." in dated.missing[0]
    assert "January–February 2020" in dated.answer  # told, in another year
    both = assistant.ask("Were Oxleas or Sheffield ever in special measures?")
    assert both.missing == ["The documents do not say Oxleas was put in special measures."]
    assert "Sheffield Health and Social Care" in both.answer


def test_a_rating_history_is_asked_of_a_trust_not_of_its_parts():
    from assistant._extractive import asks_rating_history

    assert asks_rating_history(analyse("What ratings has Oxleas had?"))
    assert asks_rating_history(analyse("What's Somerset's rating history?"))
    assert asks_rating_history(analyse("How have Sheffield's ratings changed over the years?"))
    assert not asks_rating_history(analyse("What ratings did LPFT get for each key question?"))
    assert not asks_rating_history(analyse("Why was Oxleas rated good?"))
    assert not asks_rating_history(analyse("What ratings do trusts get?"))  # no trust


@pytest.mark.slow
def test_a_rating_history_is_told_earliest_first_with_each_lines_year(real_settings):
    answer = Assistant(real_settings).ask("What's Somerset's rating history?").answer
    lines = [line for line in answer.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- [In 2015:] [Somerset Partnership] was rated requires improvement")
    assert lines[1].startswith("- [In 2017:]")
    assert "October 2018" in lines[2]


@pytest.mark.slow
def test_a_held_rating_is_checked_after_it_was_first_reached(real_settings):
    answer = Assistant(real_settings).ask(
        "Since SWYPFT held on to its good rating continuously after the 2017 upgrade, what was "
        "the secret to keeping it?"
    )  # a later "remained Good" (2023) is no start: the 2018 fall is after 2017
    assert answer.answer.startswith(
        "The documents do not say South West Yorkshire Partnership kept its good rating."
    )
    assert "2018" in answer.answer


def test_a_slip_asked_about_is_no_slip_taken_as_given():
    from assistant._extractive import asks_about_slips

    assert asks_about_slips(analyse("Did any of these trusts slip back after being rated good?"))
    assert asks_about_slips(analyse("Which trusts went backwards? What went wrong?"))
    assert not asks_about_slips(
        analyse("Both SWYPFT and SHSC dropped back in 2018. What did CQC find at each?")
    )
    assert not asks_about_slips(
        analyse("SHSC dropped back after the report - how did its 2018 results compare?")
    )
    assert not asks_about_slips(analyse("Why did Sheffield slip back?"))


@pytest.mark.slow
def test_the_trusts_that_slipped_back_get_each_fall_after_good_earliest_first(real_settings):
    answer = Assistant(real_settings).ask(
        "Did any of these trusts slip back down after being rated good?"
    )
    sheffield = answer.answer.split("**Sheffield Health and Social Care")[1].split("**")[1]
    assert "2014" not in sheffield  # its first rating, before good, is no slip
    assert sheffield.index("2018 inspection") < sheffield.index("January–February 2020")
    assert "put the trust back to Requires Improvement overall" in answer.answer  # SWYPFT


def test_warm_up_embeds_every_sentence_once(hash_settings):
    assistant = Assistant(hash_settings)
    assert assistant.warm_up() > 100  # every quotable sentence of the bundled corpus
    assert assistant.warm_up() == 0  # already embedded: nothing to do


@pytest.mark.slow
def test_lines_close_in_meaning_are_read_however_few_words_they_share(real_settings):
    assistant = Assistant(real_settings)
    visible = assistant.ask(
        "Were chief execs actually out meeting staff face to face? Give me examples of visible "
        "leadership."
    )
    assert "easy to see and approach" in visible.answer  # Oxleas: no word of the question
    partners = assistant.ask(
        "How big a part did partnership working with the wider local health and care system "
        "play in these turnarounds?"
    )  # a line close in meaning never stands for a trust with no line on the question
    assert "Steve Russell" not in partners.answer


def test_review_special_measures_slips_and_histories_are_read_as_asked():
    from assistant._assistant import _PUT_IN_SPECIAL_MEASURES as put_in
    from assistant._extractive import asks_about_slips, asks_rating_history

    assert put_in.search("Did Oxleas ever get special measures?")
    assert put_in.search("Was Sheffield put into special measures in 2020?")
    assert put_in.search("When did SHSC come out of special measures?")
    assert not put_in.search("What could a trust in special measures learn from Oxleas?")
    assert not put_in.search("How did Oxleas avoid special measures?")
    assert not asks_about_slips(analyse("Did staff morale get worse at Sheffield after 2018?"))
    assert not asks_about_slips(analyse("Did Sheffield drop back after 2018? Why?"))
    assert asks_about_slips(analyse("Did Sheffield slip back after 2017?"))
    assert not asks_rating_history(analyse("What ratings did Oxleas get from its staff survey?"))


@pytest.mark.slow
def test_a_rating_history_holds_no_rating_journey_quoted_whole(real_settings):
    answer = Assistant(real_settings).ask("What ratings has Lincolnshire had?").answer
    assert "Rating journey" not in answer  # a whole list in one quote is no one event
    assert answer.index("2015 inspection") < answer.index("April 2017")


def test_n_staffs_is_north_staffordshire_and_specialist_is_no_form_of_special():
    from assistant._extractive import _forms

    assert analyse("whats the rating history for N Staffs, in order").trusts == (
        "North Staffordshire Combined Healthcare NHS Trust",
    )
    vocabulary = ["psychiatr", "psychiatrist", "special", "specialist"]  # sorted
    idf = dict.fromkeys(vocabulary, 1.0)
    assert "specialist" not in _forms("special", idf, vocabulary)  # "special measures"
    assert "psychiatrist" in _forms("psychiatr", idf, vocabulary)
