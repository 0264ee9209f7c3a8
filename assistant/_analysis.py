"""Question analysis: what is asked about, what kind of answer, about whom, and how wide."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from corpus import (
    THEMES,
    TRUSTS,
    Trust,
    named_trusts,
    stop_words,
    themes_in_text,
    trust_by_key,
    trusts_in_text,
)
from index import tokenize

FIGURE, DATE, PERSON, ORGANISATION, WHICH_TRUST, YES_NO, HOW_WHAT = (
    "figure",
    "date",
    "person",
    "organisation",
    "trust",
    "yes_no",
    "how_what",
)
ONE_TRUST, NAMED_TRUSTS, ALL_TRUSTS, REPORT = "one_trust", "named_trusts", "all_trusts", "report"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_QUESTION_WORDS = _words(
    "what which who whom whose when where why how did does do done doing was were is are be been "
    "being has have had"
)

_MONTH_NAMES = _words(
    "january february march april may june july august september october november december jan "
    "feb mar apr jun jul aug sep sept oct nov dec"
)

# Words that carry no topic: question scaffolding, pronouns, connectives and chat filler.
FILLER = _words(
    "lol lmao omg pls plz please thanks thank thx cheers ta asap quick quickly urgent urgently "
    "kindly basically actually really just um uh erm hmm hi hey hello ok okay btw fyi tbh imo "
    "mate guys folks u ur need needed want know info roughly approximately "
    "approx exactly precisely"
)

_SCAFFOLD = _QUESTION_WORDS | _words(
    "the a an of to in on at for by with from and or its it their they them this that these those "
    "they'd they're they've themselves there here trust trusts trust's trusts' nhs any all "
    "each every about me us you your "
    "describe explain give list name much many compare compared comparison between both versus vs "
    "v featured seven profiled case studies study notes documents say said says can could would "
    "should will shall get got make made i we our england another other others some more most "
    "such also very then than happen happened happens happening differ differed differs different "
    "difference differences differently similar similarly similarities common alike contrast "
    "contrasted paths path way ways "
    "saw see seen came come "
    "again later went go goes going money cash sum amount figure number total like such etc eg "
    "ie what's whats how's who's where's it's that's "
    "he she him her his "
    "during among amongst across along around throughout within via per whether while whilst "
    "although though because until till onto into upon under through against either "
    "neither several various whose just quite rather own thus hence therefore however yet "
    "already ever once outcome outcomes opposed as ones something anything afterwards we're didn't"
    " don't doesn't isn't aren't wasn't weren't"
    " interested curious wondering keen i'm i'd i've"
)

_ORG_END = frozenset(
    [
        "trust",
        "ft",
        "partnership",
        "healthcare",
        "hospitals",
        "hospital",
        "care",
        "services",
        "nhs",
        "university",
        "council",
        "commission",
        "clinic",
        "centre",
    ]
)
_ORG_NOISE = frozenset(["the", "nhs", "foundation", "trust", "ft"])
_NOT_A_NAME = (
    _QUESTION_WORDS
    | _MONTH_NAMES
    | _words(
        "compare tell describe explain give list name in at for on by after before during "
        "between and or the a an i i'm i’m i've i’ve i'd i’d cqc nhs england english uk "
        "both either neither all each every any some"
    )
)
# A people's word and the place words (stems) documents use instead: "an American model" is
# "the Dartmouth Institute in the USA". Alone it is no name; in a run it may be part of one
# ("Scottish Government").
PLACES_OF_PEOPLES = {
    "american": ("usa", "america"),
    "british": ("uk", "britain"),
    "english": ("england",),
    "scottish": ("scotland",),
    "welsh": ("wale",),
    "irish": ("ireland",),
    "european": ("europ",),
    "swedish": ("sweden",),
    "dutch": ("netherland", "holland"),
    "danish": ("denmark",),
    "canadian": ("canada",),
    "australian": ("australia",),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*|\d[\d,.%£]*")
_ACRONYM = re.compile(r"[A-Z]{2,4}s?")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MONTH = re.compile(
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mid|early|late)",
    re.I,
)

# Joining another body: "merge with", "join?", "team up with" (not "did well after the merger")
_JOINED_WITH = (
    r"(?:join(?:s|ed|ing)?|merg(?:e|es|ed|ing)|combin(?:e|es|ed|ing)|team(?:ed|ing)? up|"
    r"partner(?:s|ed|ing)?|collaborat(?:e|es|ed|ing))\s*"
    r"(?:with\b|\?|$)"
)

# "How much did the trusts lean on partners?": how far, not a figure
_AN_EXTENT = (
    r" (?:did|does|do|has|have|had) (?:[\w'’-]+ ){1,5}?(?:lean|rely|relied|depend|matter|"
    r"help|value|focus|emphasi[sz]e|draw|learn|care|engage|listen|involve|change|improve)"
)

_TYPE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    (
        FIGURE,
        re.compile(
            r"\bhow (?:much|many|big|large|often)\b(?!"
            + _AN_EXTENT
            + r")|\b(?:size|staff)-?wise\b|"
            r"\bhow long\b(?!.*\b(?:take|took|to get|"
            r"to move|to go|to reach|until|before)\b)|\bby how\b"
            # a distance, not an extent ("how far were they plugged into ..."): travelled
            r"|\bhow far\b(?=[^?]*\b(?:travel\w*|away|miles?|km|kilometres?|distance)\b)"
            r"|\bhow far (?:is|are|was|were)\b[^?]*\bfrom\b"
            r"|\bwhat (?:was |is |were )?"
            r"(?:the |its |their |x |(?:[\w-]+ ){0,3}[\w-]+['’]s )?(?:[\w'’-]+ ){0,4}"
            r"(?:percentage|proportion|share|number|rate|"
            r"figure|amount|cost|budget|income|turnover|deficit|surplus|score|total|salary|"
            r"spend|spending|count|ratio)s?\b|\bwhat did .{1,60}\b(?:spend|cost|pay|invest|"
            r"earn)\b"
            # terse: "NSCHT staff survey response rate 2018?", "Oxleas annual income?"
            r"|^(?!\W*(?:who|whom|whose|when|which|where|did|does|do|is|was|were|are|has|have|"
            r"had|can|could|tell|list|compare|give|show)\b)"
            r"(?![^?]*\b(?:how|what|why|describe|summari[sz]e|explain|ways|steps)\b)[^?]*"
            r"\b(?:rate|percentage|proportion|number|budget|income|cost|score|turnover|deficit|"
            r"surplus|spend|total)s?(?:\s+(?:in\s+)?(?:19|20)\d\d){0,2}\W*$",
            re.I,
        ),
    ),
    (
        DATE,
        # "How long did it take to get to good?" is answered by the dates of both events, and
        # so is "who got from requires improvement to good quicker, X or Y?"
        re.compile(
            r"^\s*when\b|\bwhat (?:year|date|month)\b|\bin which year\b|\bhow long\b"
            r"|\bfrom\b[^?]{1,40}\bto\b[^?]{0,30}\b(?:quicker|faster|sooner|more quickly)\b",
            re.I,
        ),
    ),
    (
        WHICH_TRUST,
        re.compile(
            r"\bwhich (?:of the )?(?:(?!(?:did|does|do|has|have|had|the|each|was|were)\b)\w+ ){0,3}"
            r"trusts?\b(?!\s+(?:did|does|will|would) (?:(?!\bto\b)[^?]){1,60}? "
            + _JOINED_WITH
            + r")|\bwhat trusts?\b|\bwhich ones?\b"
            r"|^\W*(?:has|have|did|was|were|is|are)\s+any\s+of\s+(?:the|these|those)\s+(?:seven|7)\b"
            r"|\bwhich of (?:the|these|those) (?:seven|7)\b"
            r"(?=\s+trusts?\b|\s+(?:did|was|were|had|has|is|are|went|got|\w+ed)\b|\W*$)"
            r"|^\W*(?:has|have|did|was|were|is|are)\s+any\s+(?:of\s+the\s+)?(?:\w+\s+){0,2}"
            r"trusts?\b(?![-\w])"
            # "Of the seven mental health trusts, which went on to ...?"
            r"|\bof (?:the|these|those) (?:seven|7)(?: [\w-]+){0,3}?(?: trusts)?,?\s+which\b",
            re.I,
        ),
    ),
    (
        ORGANISATION,  # a named thing: "What was the name of its improvement programme?"
        re.compile(
            r"\bwhat (?:was|is|were) the names? of (?!(?:[\w'’-]+ ){0,4}?(?:chief|director|"
            r"chair\w*|leader|person|people|executive|inspector|nurse|doctor|psychiatrist|"
            r"officer|manager|head|ceo|man|woman|governor|secretary)s?\b)|\bwhat (?:was|is|were) "
            r"(?:it|they|the [\w-]+|[\w'’]+ [\w-]+) called\b|\bwhat did [^?]{1,60}? call\b"
            # an organisation a trust joined: "Who did Calderstones merge with?"
            r"|\b(?:who|which (?:\w+ )?trusts?) (?:did|does|will|would) (?:(?!\bto\b)[^?]){1,60}? "
            + _JOINED_WITH
            # a funder is an organisation: "Who funded the coaching academy?", "Who put money
            # into it?"
            + r"|^\W*who (?:funded|funds|paid for|pays for|financed|sponsored|commissioned|"
            r"(?:put|puts|invested|gave)(?: up)? (?:the )?(?:money|funding|cash|funds)\b)",
            re.I,
        ),
    ),
    (
        PERSON,
        re.compile(
            r"^\s*(?:who|whom|whose)\b|\bwhich (?:person|people|chief|director|chair|leader|"
            r"officer|nurse|doctor|executive|inspector)\b|\bwhat (?:was|is) the name\b"
            # "what was that person's name?", "can you name the nurse CQC profiled?"
            r"|\bwhat (?:was|is) (?:that|this|the|his|her) (?:person|individual|man|woman)'s name\b"
            r"|\bwhat (?:was|is) (?:his|her) name\b"
            r"|\b(?:give|tell|list)(?: me| us)? the names? of (?:the )?(?:[\w-]+ ){0,3}(?:staff|"
            r"people|individuals|nurses|doctors|leaders|chief executives|directors|members)\b"
            r"|^\W*(?:can|could) you name (?:the|a|an|any) (?:[\w-]+ ){0,3}(?:nurse|doctor|person|"
            r"chief|director|chair|leader|manager|executive|psychiatrist|individual|inspector)s?\b",
            re.I,
        ),
    ),
    (
        ORGANISATION,
        re.compile(
            r"\bwhich (?:organisation|organization|body|bodies|company|charity|university|"
            r"institute|institution|partner|acute trust|hospital|council|group)s?\b",
            re.I,
        ),
    ),
    (YES_NO, re.compile(r"^\s*(?:did|does|do|was|were|is|are|has|have|had|can|could)\b", re.I)),
)
_MONEY = re.compile(
    r"\b(?:cost|costs|spend|spent|spending|budget|income|turnover|deficit|surplus|funding|"
    r"fund|grant|pay|paid|salary|salaries|invest|invested|investment|money|worth|price|"
    r"earn|earned|receive|received|£)",
    re.I,
)
_PERCENT = re.compile(r"\b(?:percentage|percent|proportion|share|rate)\b|%", re.I)
_ALL = re.compile(
    r"\b(?:the trusts|trusts|all|each|every|across|any of the|featured|improving trusts)\b", re.I
)
_THE_TRUSTS_DOING = re.compile(
    r"\b(?:the|these|those)\s+(?:featured\s+|seven\s+|improving\s+)?trusts\s+"
    r"(?:work\w*|partner\w*|collaborat\w*|join\w*|team\w*|link\w*)\b",
    re.I,
)
_A_BODY = re.compile(
    r"\b(?:Department|Council|Police|Constabulary|NHS|Trust|Foundation|Commission|Hospitals?|"
    r"CCG|Group|Service|Agency|Authority|University|College|Office|Ministry)\b"
)
# Examples of a theme asked for, with no trust named: the trusts' own, each under its name
_EXAMPLES_ASKED = re.compile(r"\b(?:examples?|instances?|anyone|anybody|any of them)\b", re.I)
_ABOUT_REPORT = re.compile(
    r"\b(?:publish|published|publication|series|interview|interviewed|"
    # the acute trusts' report, not "acute hospitals" or a trust's "acute trust" partner
    r"acute(?!\s+(?:hospitals?|wards?|services?|care|partners?|inpatient|mental|beds?|"
    r"trust\b|hospital\b))|"
    # "the case studies", not "the case study trusts" (the seven themselves)
    r"case stud(?:y|ies)(?![\s-]+(?:trusts|sites|organisations|organizations))|"
    r"(?<!voluntary )(?<!third )(?<!private )(?<!independent )sector|nationally|england|"
    r"the report (?:say|find|found|conclude))"
    # mental health trusts in general, not the seven: "the first mental health trusts rated
    # outstanding", "How many NHS mental health trusts ...", "the 47 rated ..."
    r"|\b(?:NHS|all|first|other|many|most|\d+)\s+(?:(?:rated|specialist)\s+)?"
    r"mental health trusts\b",
    re.I,
)
# "What did CQC say made the difference?", "What advice does the report give?": the report's
# own findings, unless the question asks trust by trust.
_REPORT_SAYS = re.compile(
    r"\b(?:the report|the case studies|cqc)\s+(?:\w+\s+){0,2}?(?:say|says|said|find|finds|"
    r"found|conclude|concludes|concluded|recommend|recommends|advise|advises|suggest|suggests|"
    r"identify|identifies|identified|highlight|highlights|highlighted|give|gives|see|saw|"
    r"think|thought|learn|learned|learnt|draw|draws|drew|offer|offers|show|shows|showed|"
    r"tell|tells|teach|teaches|describe|describes|set out|sets out)\b|"
    r"\b(?:key|main) (?:findings|lessons|messages)\b"
    # "the big lesson in CQC's report", "in CQC's summary": its own findings (not "the trusts
    # in CQC's report" nor "learn from the report", which only say which trusts or where)
    r"|(?<!trusts )(?<!seven )(?<!trust )\b(?:in|from)\s+(?:cqc'?s\s+(?:own\s+)?(?:\d{4}\s+)?"
    r"(?:report|summary|overview)|the\s+(?:report'?s\s+)?(?:summary|overview))\b"
    r"|\bwhat (?:does|did|do) [^?]{1,50}? mean\b|\bwhat is meant by\b|\bdefin(?:e|ition)\b",
    re.I,
)
# The report's make-up: which or how many trusts it features, and why they were chosen.
_MAKE_UP_VERB = (
    r"(?:choose|chosen|chose|select|selected|pick|picked|feature|features|featured|include|"
    r"includes|included|profile|profiled|visit|visited|study|studied|cover|covers|covered)"
)
_MAKE_UP = re.compile(
    # the trusts are what was chosen ("which trusts were featured", "were these trusts picked"),
    # not the ones choosing ("which trusts chose QI") nor an adjective ("the featured trusts")
    rf"\b(?:trusts?|seven|ones)\s+(?:were|was|are|is|did|does|do|had|has|have)\b"
    rf"[^?.]{{0,30}}?\b{_MAKE_UP_VERB}\b"
    rf"|\b(?:were|was|are)\s+(?:\w+\s+){{0,4}}?trusts\s+{_MAKE_UP_VERB}\b"
    # "why did these trusts feature", not "did any of the trusts featured in it merge"
    r"|\b(?:did|does)\s+(?:\w+\s+){0,4}?trusts\s+(?:choose|select|pick|feature|include|"
    r"profile|visit|study|cover)\b"
    r"|\btrusts\b[^?]{0,60}\bget\s+(?:chosen|picked|selected|included|featured|profiled)\b"
    rf"|\b{_MAKE_UP_VERB}\s+(?:the|these|those|which|what|its|seven)\s+(?:\w+\s+){{0,3}}?trusts\b"
    # "Which trusts were in the report?" (and nothing more asked of them)
    r"|\btrusts?\s+(?:were|are|was|is)\s+(?:in|part of)\s+(?:the\s+|this\s+|cqc'?s\s+)?"
    r"(?:\d{4}\s+)?(?:report|study|case studies)\W*$",
    re.I,
)
_FOR_THE_REPORT = re.compile(
    r"\b(?:report|study|studied|case studies|seven|choose|chosen|chose|select|selected|pick|"
    r"picked|profiled)\b",
    re.I,
)


def asks_make_up(question: str) -> bool:
    """True for which or how many trusts the report features, or why CQC chose them."""
    return bool(_MAKE_UP.search(question) and _FOR_THE_REPORT.search(question))


# A publication named only as a time: "after the March 2018 publication", "since the report".
_AFTER_THE_REPORT = re.compile(
    r"\b(?:after|since|before|following)\s+(?:the|its|cqc'?s)\s+(?:\w+\s+)?(?:\d{4}\s+)?"
    r"(?:publication|report)\b(?!\s+(?:say|said|find|found))",
    re.I,
)
_THEY = re.compile(r"\b(?:they|their|them|themselves)\b", re.I)
# Who "they" are when CQC, its inspectors or the report are in the question: not the trusts.
_THEY_ARE_CQC = re.compile(r"\b(?:cqc|inspectors?|regulator|report)\b", re.I)
_TRUST_BY_TRUST = re.compile(r"\b(?:each|every|all seven|per trust|which)\b", re.I)
_COMPARE = re.compile(r"\b(?:compare|compared|comparison|versus|vs\.?|differ|difference)\b", re.I)


@dataclass(frozen=True)
class Organisation:
    """An organisation the question names.

    Attributes:
        name: As written in the question.
        trust: The corpus trust's full name when it is one of the seven, else ''.

    """

    name: str
    trust: str = ""


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks, in the terms the rest of the answerer uses.

    Attributes:
        question: The question analysed (typos already corrected).
        focus: The words that say what is asked about ("engage staff", "annual income").
        condition: Focus words that only set the scene ("after CQC rated it inadequate"): they
            count for less than the rest.
        answer_type: figure, date, person, organisation, trust, yes_no or how_what.
        figure_kind: For figures: money, percent, score, duration or count.
        scope: one_trust, named_trusts, all_trusts or report.
        trusts: Full names of the corpus trusts the question is about.
        organisations: Every organisation named, corpus trust or not.
        names: Other proper names in the question (people, places, programmes).
        years: Years the question is about ("in 2019"): answers must be from them.
        all_years: Every year the question names (sentences naming them rank higher).
        themes: Theme keys the question names.
        comparison: The question compares.
        verbs: Focus words that are the question's verbs ("adopted", "bring" in "how did
            X bring down ..."): what is asked about is mostly in its nouns, so they weigh less.
        since: The year a range starts ("after 2018"), or 0.
        speaker: Whose words are asked for ("staff"), or ''.
        action: The question asks what was done ("what did X do about Y").
        succession: For "who took over after X" 'after', for "who was ... before X" 'before'.
        successor_of: The words naming that X ("ben travis"), as typed.
        documents: Ids of the publications the question names by title ("the Sustaining
            improvement revisits"): it is answered from them.

    """

    question: str
    focus: str
    condition: str
    answer_type: str
    figure_kind: str
    scope: str
    trusts: tuple[str, ...]
    organisations: tuple[Organisation, ...]
    names: tuple[str, ...]
    years: tuple[str, ...]
    all_years: tuple[str, ...]
    themes: tuple[str, ...]
    comparison: bool
    verbs: tuple[str, ...] = ()
    since: int = 0
    speaker: str = ""
    action: bool = False
    succession: str = ""
    successor_of: str = ""
    documents: tuple[str, ...] = ()

    @property
    def outside(self) -> tuple[str, ...]:
        """Organisations named that are not among the corpus's trusts."""
        return tuple(org.name for org in self.organisations if not org.trust)

    def as_dict(self) -> dict:
        """Plain data for the JSON result."""
        data = asdict(self)
        data["organisations"] = [org.name for org in self.organisations]
        data["outside_organisations"] = list(self.outside)
        for key in ("trusts", "names", "years", "all_years", "themes", "verbs", "documents"):
            data[key] = list(data[key])
        data.pop("question")
        return data


def analyse(
    question: str, trust_filter: str | None = None, others: Sequence[Trust] = ()
) -> QuestionAnalysis:
    """Analyse a (standalone, typo-corrected) question.

    Args:
        question: The question.
        trust_filter: A trust the user filtered on (full name), which sets the scope.
        others: Trusts the index holds besides the seven (from a user's own reports); a
            question naming one is about that trust, not about an organisation not covered.

    """
    question = question.replace("’", "'")  # one apostrophe for every pattern
    question = as_checked_claim(question)  # "X was rated good, wasn't it?": was X rated good
    asked, question = question, _ATTRIBUTED.sub(" ", _whole_years(_laid_out(question))).strip()
    question = _WHATS.sub("what is", question)  # "whats SWYPFT's response rate?"
    question = re.sub(r"\bMH\b", "mental health", question)  # "how many MH trusts"
    runs = _capitalised_runs(question)
    organisations = _named_organisations(question, runs, others)
    masked = question
    for org in organisations:
        if not org.trust:
            masked = re.sub(re.escape(org.name), " ", masked, flags=re.I)
    trusts = [trust_by_key(key).name for key in trusts_in_text(masked)]
    trusts += [org.trust for org in organisations if org.trust and org.trust not in trusts]
    if trust_filter and trust_filter not in trusts:
        trusts.insert(0, trust_filter)
    answer_type = _a_body_for_a_trust(question, _answer_type(_without_names(masked, organisations)))
    names = _names(runs, others)
    outside = [org.name for org in organisations if not org.trust]
    reacting = _reacting(question, masked, organisations)
    focus = _typed_focus(masked, organisations, answer_type)
    return QuestionAnalysis(
        question=asked,
        focus=f"response {focus}" if reacting else focus,  # what was done in response
        condition=_focus(_condition(masked), organisations),
        answer_type=answer_type,
        figure_kind=_figure_kind(question) if answer_type == FIGURE else "",
        scope=_scope(question, trusts, answer_type, [n for n in names if " " in n] + outside),
        trusts=tuple(dict.fromkeys(trusts)),
        organisations=organisations,
        names=tuple(names),
        years=_hard_years(question),
        **_what_kind(question, answer_type),
        all_years=tuple(dict.fromkeys(_YEAR.findall(question))),
        themes=_themes(question) or _first_reaction(question, reacting),
        comparison=bool(_COMPARE.search(question)) or len(trusts) > 1,
        verbs=_verbs(_without_names(masked, organisations, possessive=" its ")),
    )


def _names(runs: list[str], others: Sequence[Trust]) -> list[str]:
    """The capitalised runs that name a person or a thing, not an organisation or a trust.

    A people's word ("American") and the reports' titles ("Driving improvement") are no names;
    "Rob Webster and Mark Hindle" is two.
    """
    parts = [part for run in runs for part in _split_pair(run)]
    return [
        run
        for run in parts
        if not _org_like(run)
        and not _is_trust_alias(run)
        and not named_trusts(run, others)
        and _plain(run) not in PLACES_OF_PEOPLES
        and not re.fullmatch(r"driving(?: improvement)?|sustaining(?: improvement)?", _plain(run))
        and not _A_ROLE.search(run)
    ]


# A role's title, which names no one ("the Health Secretary", "Chief Inspector").
_A_ROLE = re.compile(
    r"^(?:(?:Health|Home|Chief|Medical|Nursing|Deputy|Executive|Finance|Operations|Managing|"
    r"Clinical|Prime|Senior|Non-Executive|Assistant|Associate)\s+)+(?:[A-Z][\w-]*\s+)*"
    r"(?:Secretary|Minister|Inspector|Director|Officer|Chair|Chairman|Chairwoman|Executive|"
    r"Commissioner|Lead|Nurse)$"
)


def _split_pair(run: str) -> list[str]:
    """Two names joined by "and" ("Rob Webster and Mark Hindle") as two; else the run."""
    first, _, second = run.partition(" and ")
    if second and len(first.split()) >= 2 and len(second.split()) >= 2 and not _org_like(run):
        return [first, second]
    return [run]


def _named_organisations(
    question: str, runs: list[str], others: Sequence[Trust]
) -> tuple[Organisation, ...]:
    """Every organisation the question names, tied to a trust the index holds where it is one."""
    named = [run for run in runs if _org_like(run)]
    if not any(c.isupper() for c in question[1:]):  # typed in lower case: names are too
        named += [name for name in _lowercase_organisations(question) if name not in named]
    organisations = tuple(_as_indexed(org, others) for run in named for org in _organisations(run))
    return organisations + _indexed_mentions(question, others, organisations)


# Word pairs (stemmed) that name a theme in any word order: "engage ... staff".
_THEME_WORDS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    (  # "engage frontline staff": the staff the theme is about
        "staff_engagement",
        frozenset({"engag", "listen", "empow", "involv"}),
        frozenset({"staff", "frontlin"}),
    ),
    (
        "involving_patients",
        frozenset({"involv", "engag", "listen", "coproduc"}),
        frozenset({"patient", "user", "carer", "famili", "public"}),
    ),
    ("culture", frozenset({"cultur"}), frozenset()),
    ("governance", frozenset({"govern", "assur"}), frozenset()),
    (
        "relationship_with_cqc",
        frozenset({"relat", "relationship"}),
        frozenset({"cqc", "inspector"}),
    ),
    (
        "reaction",
        frozenset({"react", "respond", "respons"}),
        frozenset({"inspect", "rate", "report"}),
    ),
    (
        "reaction",
        frozenset({"first", "initi", "poor", "bad", "low"}),
        frozenset({"rate", "inspect", "visit"}),
    ),
    ("next_steps", frozenset({"sustain", "next", "futur"}), frozenset()),
    ("next_steps", frozenset({"keep", "continu", "last", "end", "beyond"}), frozenset({"improv"})),
    ("outward_looking", frozenset({"partner", "collabor"}), frozenset()),
)


def theme_words(key: str) -> frozenset[str]:
    """The stemmed words that name a theme: its label, its phrases and its word pairs."""
    theme = next(t for t in THEMES if t.key == key)
    words = set(tokenize([" ".join((theme.label, *theme.aliases))])[0])
    for pair_key, first, second in _THEME_WORDS:
        if pair_key == key:
            words |= first | second
    return frozenset(words)


def _reacting(question: str, masked: str, organisations) -> tuple[str, ...]:
    """The reaction theme for "What did X do after its 2015 rating?", else ().

    Such a question asks what was done, about nothing but the rating or inspection it followed.
    """
    if not _ACTION.search(question) or not _AFTER_RATING.search(question):
        return ()
    topic = set(_focus(masked, organisations).split())
    return ("reaction",) if topic <= set(_focus(_condition(masked), organisations).split()) else ()


def _first_reaction(question: str, reacting: tuple[str, ...]) -> tuple[str, ...]:
    """The reaction theme, when the rating reacted to may be the first one.

    The trusts' first ratings came in 2014 to 2016: after "rated inadequate in 2020" the
    reaction sections, which tell of the first, do not answer.
    """
    if any(int(year) > 2016 for year in _YEAR.findall(question)):
        return ()
    return reacting


_AFTER_RATING = re.compile(
    r"\b(?:after|following)\b[^?]{0,40}\b(?:rating|rated|inspection|inspected)\b", re.I
)


def _themes(question: str) -> tuple[str, ...]:
    """Themes named by their phrases, or by a pair of their words anywhere in the question."""
    found = list(themes_in_text(question))
    stems = set(tokenize([question])[0])
    if _RATED_WELL.search(question):  # "the first trusts rated outstanding": no reaction
        stems -= {"first", "initi"}
    if _NEXT_VISIT.search(question):  # "when was it next inspected": no next steps
        stems -= {"next"}
    for key, first, second in _THEME_WORDS:
        if stems & first and (not second or stems & second) and key not in found:
            found.append(key)
    if _FIRST_WENT_IN.search(question) and "reaction" not in found:
        found.append("reaction")  # "what was wrong when CQC first went in?"
    if _LIVED_EXPERIENCE.search(question) and "involving_patients" not in found:
        found.append("involving_patients")  # "people with lived experience in real roles"
    if _WITH_CQC.search(question) and "relationship_with_cqc" not in found:
        found.append("relationship_with_cqc")
    if _PAST_GOOD.search(question) and "next_steps" not in found:
        found.append("next_steps")  # "where should they go once they'd reached good?"
    return tuple(found)


def _typed_focus(masked: str, organisations: tuple[Organisation, ...], answer_type: str) -> str:
    """The focus for the answer type asked ("during its turnaround" only dates a who-question)."""
    framed = _DURING_TURNAROUND.sub(" ", masked) if answer_type == PERSON else masked
    return _without_type_words(_focus(framed, organisations), answer_type)


def _without_type_words(focus: str, answer_type: str) -> str:
    """The focus without words that only frame the type asked for.

    "What happened to incident numbers" asks for a figure of incidents.
    """
    framing = _FRAMING_BY_TYPE.get(answer_type, frozenset())
    kept = [w for w in focus.split() if w.lower() not in framing]
    return " ".join(kept) if kept or answer_type == FIGURE else focus  # "who led it?": led


_FRAMING_BY_TYPE = {FIGURE: _words("number numbers figures")}
# "Who chaired Oxleas during its turnaround?": the chair of that time, not lines on a turnaround
_DURING_TURNAROUND = re.compile(
    r"\b(?:during|through|throughout|in)\s+(?:its|the|their)\s+(?:turn-?around|recovery)\b", re.I
)


def _a_body_for_a_trust(question: str, answer_type: str) -> str:
    """An organisation, for "who did Oxleas work with?": a trust works with bodies, not people."""
    worked = _A_TRUST_WORKED_WITH.search(question) if answer_type == PERSON else None
    return ORGANISATION if worked and trusts_in_text(worked.group("who")) else answer_type


_A_TRUST_WORKED_WITH = re.compile(
    r"^\W*who (?:did|does|has|have) (?P<who>[^?]{1,40}?) (?:work|worked|working|partner|"
    r"partnered|collaborate|collaborated|team up|teamed up|train|trained|develop|developed|"
    r"build|built|set up|learn|learned|learnt|share|shared|run|ran|design|designed|pilot|"
    r"piloted|co-produce|co-produced)\b[^?]{0,40}?\bwith\b",
    re.I,
)


# People who use services, by the words for their roles in improvement
_LIVED_EXPERIENCE = re.compile(
    r"\blived experience\b|\bexperts? by experience\b|\bpeer (?:support )?workers?\b"
    r"|\bservice[- ]user (?:involvement|voice|representatives?|reps?|feedback)\b",
    re.I,
)


# Good reached, and what came after it: the next step on the improvement journey.
_PAST_GOOD = re.compile(
    r"\b(?:once|after|having|since|now)\b[^?]{0,30}?\b(?:reached|reaching|got to|getting to|"
    r"gotten to|achieved|achieving|made|making|became|becoming)\s+(?:a\s+)?good\b"
    r"(?!\s+(?:staff|leaders?|people|practice|governance|progress|use|links|work|results|"
    r"outcomes|relationships|levels|on|of|sense|time|headway|decisions|money))",
    re.I,
)


# The relationship with CQC in everyday words: "their dealings with CQC", "kept tabs on".
_WITH_CQC = re.compile(
    r"\b(?:dealings|contacts?|work(?:ed|ing)?|got on|get on|getting on)\s+with\s+(?:the\s+)?"
    r"(?:cqc|regulator|inspectors)\b|\b(?:cqc|regulator|inspectors)\b[^?]{0,20}"
    r"\b(?:keep|kept|keeping)\s+tabs\b",
    re.I,
)
# A first inspection said as going in: "when CQC first went in".
_FIRST_WENT_IN = re.compile(r"\bfirst\s+(?:went|came|go|come)\s+in\b", re.I)


# The next of the visits: "when was it next inspected", "at its next inspection"; and a
# neighbour: "the acute trust next door".
_NEXT_VISIT = re.compile(
    r"\bnext\s+(?:\w+\s+)?(?:inspect\w*|visit\w*|re-?inspect\w*)\b|\bnext[\s-]door\b",
    re.I,
)
# A good rating reached: "first ... rated outstanding" tells of no reaction to a first rating.
_RATED_WELL = re.compile(
    r"\bfirst\s+(?:[\w-]+\s+){0,4}?rated\s+(?:as\s+)?[\"'‘“]?(?:good|outstanding)\b"
    # "when CQC finished its first round of inspections": a time in the country's story
    r"|\bfirst\s+(?:round|wave|cycle|programme)\s+of\b",
    re.I,
)


# An organisation's name going on after a comma: "..., Tyne and Wear NHS Foundation Trust".
_ORG_AHEAD = re.compile(
    r"(?:[A-Z][\w&'’-]*\s+(?:and\s+|of\s+)?){1,5}(?:NHS|Trust|Foundation|Partnership|Healthcare|FT)\b"
)


def _capitalised_runs(question: str) -> list[str]:
    """Runs of capitalised words (with inner 'and', 'of', 'into' ...) that may name something.

    A lone capitalised word that opens a sentence ("Roughly", "Interested") is no name, and
    neither is a short acronym ("DH"): the vocabulary check weighs those.
    """
    runs: list[tuple[bool, list[str]]] = []
    end = 0
    for match in _WORD.finditer(question):
        word = match.group()
        opener = (
            not question[: match.start()].strip(" \"'‘“(")
            or question[: match.start()].rstrip(" \"'‘“(")[-1:] in ".?!:;-–—"
        )
        # "Oxleas, South West Yorkshire and ...", "Minehead, Williton and Barton Dene": a list
        after_run = "," in question[end : match.start()] and bool(runs and runs[-1][1])
        org_goes_on = _ORG_AHEAD.match(question[match.start() :])  # "Northumberland, Tyne and"
        listed = after_run and (bool(trusts_in_text(" ".join(runs[-1][1]))) or not org_goes_on)
        end = match.end()
        if listed:
            runs.append((False, []))
        if not opener and _continues_run(word, runs, question[match.end() :]):
            runs[-1][1].append(word)  # (a new sentence starts a new run: "Healthwatch. Across")
        elif word[0].isupper() and _plain(word) not in _NOT_A_NAME - {"nhs"}:
            runs.append((opener, [word]))
        else:
            runs.append((False, []))
    names = []
    for opener, run in runs:
        if opener and len(run) > 1 and re.fullmatch(_COMPARING, run[0]):
            run = run[1:]  # "Comparing North Staffordshire and ...": the verb names nothing
            opener = False
        if not run or (len(run) == 1 and (opener or _ACRONYM.fullmatch(run[0]))):
            continue
        names.append(" ".join(run).strip(" '’,"))
    return names


def _plain(word: str) -> str:
    return word.lower().replace("’", "'").removesuffix("'s")


def _continues_run(word: str, runs, rest: str) -> bool:
    if not runs or not runs[-1][1] or runs[-1][1][-1].endswith(("'s", "’s")):
        return False
    if word[0].isupper() and _plain(word) not in _NOT_A_NAME - {"nhs"}:
        return True
    # "Listening into Action", "Freedom to Speak Up": one name ("in" would join "X in Lincoln").
    if word.lower() in {"to", "into"} and trusts_in_text(" ".join(runs[-1][1])):
        return False  # "from Calderstones to Mersey Care": a move between two names
    return word.lower() in _INNER_WORDS and rest.strip()[:1].isupper()


_INNER_WORDS = frozenset(["and", "of", "&", "into", "to", "for", "the"])


_LOWER_ORG = re.compile(
    r"\b(partnership|nhs foundation trust|nhs trust|foundation trust|healthcare|"
    r"mental health trust|nhs ft)\b"
)


def _lowercase_organisations(question: str) -> list[str]:
    """Organisation names typed in lower case ("leeds and york partnership")."""
    lowered = question.lower()
    found = []
    for match in _LOWER_ORG.finditer(lowered):
        words = re.findall(r"[a-z][a-z'&-]*", lowered[: match.start()])
        name: list[str] = []
        for word in reversed(words[-5:]):
            if word in _SCAFFOLD - {"and"} or word in FILLER:
                break
            name.insert(0, word)
        while name and name[0] == "and":
            name.pop(0)
        for first in range(len(name)):
            candidate = " ".join(name[first:]) + " " + match.group()
            if _organisation(candidate).trust:
                name = name[first:]
                break
        if name:
            found.append(" ".join(name) + " " + match.group())
    return [name for name in found if not any(name in other for other in found if other != name)]


def _org_like(run: str) -> bool:
    words = run.lower().replace("’", "'").split()
    return len(words) >= 2 and words[-1].rstrip("'s") in _ORG_END


def _core(name: str) -> str:
    words = re.sub(r"[^a-z0-9& ]+", " ", name.lower().replace("'s", "")).split()
    return " ".join(w for w in words if w not in _ORG_NOISE)


def _organisation(run: str) -> Organisation:
    """Match an organisation name to one of the corpus trusts by its distinctive words."""
    core = _core(run)
    for trust in TRUSTS:
        names = {_core(trust.name), *trust.aliases}
        names.add(_core(trust.name).replace(" partnership", ""))
        if core in names or _only_alias_words(core, names):
            return Organisation(run, trust.name)
    return Organisation(run, "")


def _only_alias_words(core: str, names: set[str]) -> bool:
    """True when a name is a trust's alias plus nothing but organisation words.

    "north staffs combined healthcare" and "somerset partnerships" are corpus trusts;
    "sheffield teaching hospitals" is not ("teaching" is left over).
    """
    text = f" {core} "
    found = False
    for name in sorted(names, key=len, reverse=True):
        if f" {name} " in text:
            text, found = text.replace(f" {name} ", " "), True
    leftover = [w.rstrip("s") for w in text.split()]
    return found and all(w in _ORG_END or w in {"and", "of", "the", ""} for w in leftover)


def _as_indexed(org: Organisation, others: Sequence[Trust]) -> Organisation:
    """The organisation, tied to an indexed trust beyond the seven when it names one."""
    if org.trust or not others:
        return org
    core = _core(org.name)
    for trust in others:
        names = {_core(trust.name), *trust.aliases}
        if core in names or _only_alias_words(core, names):
            return Organisation(org.name, trust.name)
    return org


def _indexed_mentions(
    question: str, others: Sequence[Trust], found: tuple[Organisation, ...]
) -> tuple[Organisation, ...]:
    """Indexed trusts beyond the seven that the question names by a short form ("Northumbria")."""
    mentions = []
    for trust in others:
        if any(org.trust == trust.name for org in found):
            continue
        for alias in sorted(trust.aliases, key=len, reverse=True):
            match = re.search(rf"\b{re.escape(alias)}\b", question, re.I)
            if match:
                mentions.append(Organisation(match.group(), trust.name))
                break
    return tuple(mentions)


def _organisations(run: str) -> list[Organisation]:
    """One organisation, or several when a run joins a corpus trust with others.

    "Oxleas and Somerset", "Calderstones and Mersey Care".
    """
    return _joined_trusts(run) or [_organisation(run)]


def _joined_trusts(run: str) -> list[Organisation] | None:
    """The organisations a run joins with "and" after a corpus trust, or None.

    Only an "and" after a trust splits: "Sheffield Health and Social Care NHS Foundation
    Trust" is one name, "Calderstones and Mersey Care" two.
    """
    whole = _organisation(run)
    if whole.trust:
        return [whole]
    for joint in re.finditer(r"\s(?:and|&)\s", run):
        first = _organisation(run[: joint.start()].strip())
        if not first.trust:
            continue
        after = run[joint.end() :].strip()
        rest = _joined_trusts(after) or ([_organisation(after)] if after else None)
        if rest:
            return [first, *rest]
    return None


def _is_trust_alias(run: str) -> bool:
    core = _core(run)
    return any(core in {_core(t.name), *t.aliases} for t in TRUSTS) or bool(trusts_in_text(run))


# Words that open a range of time ("since 2018", "after the inspection").
RANGE_WORDS = frozenset(
    ["after", "before", "since", "from", "until", "following", "by", "post", "pre"]
)


def _hard_years(question: str) -> tuple[str, ...]:
    """Years the question is about ("in 2024", "its 2024 inspection").

    A year that opens or closes a range ("since 2018", "after the March 2018 report",
    "between its first inspection and 2017"), only dates a
    "when" clause ("... when the 2016 report was published") or, in a "what did X do"
    question, dates the problem ("rated inadequate in 2015") helps rank sentences but does
    not restrict them.
    """
    years = []
    premise = _premise_span(question) or (0, 0)
    action = bool(_ACTION.search(question))
    baselines = [m.span() for m in _CONTRAST.finditer(question)]  # "compared with the 2018 ..."
    # "rated inadequate after its 2016 inspection": that inspection's year, no range
    inspected = [m.span() for m in _RATED_AFTER_INSPECTION.finditer(question)]
    for match in _YEAR.finditer(question):
        if premise[0] <= match.start() < premise[1]:
            continue
        if any(start <= match.start() < end for start, end in baselines):
            continue
        clause = re.split(r"[,;?]", question[: match.start()].lower())[-1]
        before = re.findall(r"[a-z]+", clause)
        last = [w for w in before if not _MONTH.fullmatch(w)][-1:]  # "in late 2018": in
        dated = last in (["in"], ["during"]) or "when" not in before
        problem = action and _FINDING_WORDS.intersection(before)  # dates what was done about
        near = [w for w in before[-4:] if not _MONTH.fullmatch(w)][-2:]  # "after the March"
        if near == ["from", "their"] or near == ["from", "its"]:
            near = []  # "the results from their 2019 inspection": which inspection, no range
        # "between its first inspection and 2017" closes a range; "... in 2019" dates it
        closes = "between" in before and before[-1:] not in (["in"], ["during"])
        # "... after getting marked down on safety in 2015": what came after, not in, 2015
        after = {"after", "following", "once"}.intersection(before[:-1]) and not problem
        ranged = RANGE_WORDS.intersection(near) or closes or after
        ranged = ranged and not any(a <= match.start() < b for a, b in inspected)
        if dated and not problem and not ranged:
            years.append(match.group())
    return tuple(dict.fromkeys(years))


# "What did X do about the service rated inadequate in 2015?": the year dates the problem,
# not what was done about it.
_FINDING_WORDS = frozenset(
    ["rated", "found", "flagged", "raised", "identified", "criticised", "highlighted", "inspected"]
)


# Groups of people whose words a question may ask for; a sentence quotes them when one of
# these words comes shortly before a verb of saying or feeling (see `spoken_by`).
SPEAKER_GROUPS = (
    r"staff|patients?|service users?|carers?|families|inspectors?|governors?|board members?|"
    r"leaders?|managers?|nurses?|doctors?|clinicians?|chief executives?|chairs?|volunteers?"
)
RATINGS = ("outstanding", "good", "requires improvement", "inadequate")  # CQC's four, best first
RATING_PATTERN = "(" + "|".join(RATINGS) + ")"
REPORT_YEAR = 2018  # CQC published Driving improvement in March 2018
MONTHS_PATTERN = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_SINCE_YEAR = re.compile(
    r"\b(?:(?:after|since|following|post|later (?:in|than))\s+(?:(?:its|their|the|end of|"
    r"early|late|mid|[a-z]+ (?:inspection|rating|report) (?:in|of)|" + MONTHS_PATTERN + r")\s+)*"
    # "from their 2018-19 inspections" is not a range: it says which inspections
    r"|from\s+(?:(?:the|end of|early|late|mid|" + MONTHS_PATTERN + r")\s+)*)"
    r"((?:19|20)\d{2})\b",
    re.I,
)
_RATED_AFTER_INSPECTION = re.compile(
    r"\brat(?:ed|ing)\b[^?,;]{0,40}?\b(?:after|following)\s+(?:its|the|their)\s+"
    r"(?:19|20)\d{2}\s+(?:inspection|visit|re-inspection)\b",
    re.I,
)
_AFTER_EVENT_IN = re.compile(
    r"\b(?:after|since|following)\b[^,;?.]{0,40}?\bin ((?:19|20)\d{2})\b", re.I
)
_SINCE_REPORT = re.compile(
    r"\b(?:after|since|following)\s+(?:[a-z]+\s+){0,3}?(?:the|its|their|CQC's)\s+"
    r"(?:(?:March\s+)?2018\s+)?"
    r"(?:report|publication|"
    r"case stud(?:y|ies))\b",
    re.I,
)


def _since_year(question: str) -> int:
    """The year a question's "after 2018" / "since the report" range starts (0 when none).

    A year in the scene-setting premise ("Both fell back in 2018 - how did they differ
    after that?") does not start a range by itself.
    """
    if _RATED_AFTER_INSPECTION.search(question):
        return 0  # "rated inadequate after its 2016 inspection": that inspection's rating
    match = _SINCE_YEAR.search(question) or _AFTER_EVENT_IN.search(question)
    if match:
        return int(match.group(1))
    return REPORT_YEAR if _SINCE_REPORT.search(question) else 0


_SPEAKER = re.compile(
    r"\b(?:what|how)\s+(?:did|do|does|have|has|had)\s+(?:the\s+|its\s+|their\s+)?"
    rf"(?P<who>{SPEAKER_GROUPS})"
    r"(?:\s+(?:at|of|in|from|on)\s+[^?]{1,60}?)?\s+"
    r"(?:say|said|think|thought|feel|felt|tell|told|report|describe|view|see|make of)\b",
    re.I,
)


# "What did Calderstones do about restraint?", "How did Oxleas tackle bed pressure?": the
# answer should say what the trust did, not only what inspectors found.
_ACTION = re.compile(
    r"\bwhat (?:did|does|has|have|had) [^?]{1,60}? do\b|\bwhat (?:steps|actions?|measures|"
    r"changes) did\b|\bhow (?:did|has|have) [^?]{1,60}? (?:tackl(?:e|ed|ing)|"
    r"reduc(?:e|ed|ing)|cut|cutting|address(?:ed|ing)?|deal(?:ing)? with|fix(?:ed|ing)?(?!-)|"
    r"respond|react|improve|turn (?:(?:things|it|them|matters) )?(?:a)?round|transform|recover|"
    r"handl(?:e|ed|ing)|bring down|"
    r"bringing down|stop(?:ped|ping)?)\b"
    r"|\bwhat did [^?]{1,60}? (?:change|put in place)\b"
    # "Compare how Oxleas and Somerset handled their first ratings": the same, told in the past
    r"|\bhow (?!many\b|much\b|long\b|often\b|far\b|did\b|has\b|have\b)"
    r"(?:(?!\b(?:who|that|which)\b)[^?]){1,60}? "  # "staff who responded": no action
    r"(?:tackled|reduced|addressed|dealt with|fixed|responded|reacted|handled|"
    r"turned (?:(?:things|it|them|matters) )?(?:a)?round|brought down|stopped)\b"
    r"|\bhow did [^?]{1,60}? make [^?]{1,40}? (?:safer|better)\b",
    re.I,
)


def _what_kind(question: str, answer_type: str) -> dict:
    """The analysis fields that mark kinds of question: ranges, speakers, actions, successors."""
    succession, successor_of = _succession(question) if answer_type == PERSON else ("", "")
    return {
        "since": _since_year(question),
        "speaker": _speaker(question),
        "action": bool(_ACTION.search(question)),
        "succession": succession,
        "successor_of": successor_of,
    }


# "who took over after Ben Travis", "who replaced Mark Hindle", "Caroline Donovan's successor",
# "who was chief executive before Jan Ditheridge".
_SUCCEEDED = re.compile(
    r"\b(?P<rel>after|succeed(?:ed|s)?|replac(?:e|ed|es)|t(?:ook|ake|akes) over from|"
    r"followed|successor (?:to|of)|before|preceded|predecessor (?:to|of))\s+"
    r"(?P<who>(?!(?:the|a|an|its|their|his|her|cqc|nhs)\b)[A-Za-z][\w'’-]+"
    r"(?:\s+(?!(?:at|as|in|on|and|with|was|were|retired|left)\b)[A-Za-z][\w'’-]+){0,2})",
    re.I,
)
_SUCCESSOR_OF = re.compile(
    r"(?P<who>[A-Za-z][\w-]+(?:\s+[A-Za-z][\w-]+)?)(?:'s|’s)\s+(?P<rel>successor|predecessor)",
    re.I,
)


def _succession(question: str) -> tuple[str, str]:
    """('after' | 'before', the person's words) for a question about who came after or before.

    Which words name a person is settled against the documents later; here only the shape.
    """
    match = _SUCCEEDED.search(question) or _SUCCESSOR_OF.search(question)
    if match is None:
        return "", ""
    relation = match.group("rel").lower()
    before = relation.startswith(("before", "preced", "predecessor"))
    return ("before" if before else "after"), match.group("who").lower()


def _speaker(question: str) -> str:
    """Whose words the question asks for ("What did staff at X say ..." -> 'staff'), or ''."""
    match = _SPEAKER.search(question)
    return match.group("who").lower() if match else ""


def years_by_trust(analysis: QuestionAnalysis) -> dict[str, tuple[str, ...]]:
    """Each compared trust's own years ("Oxleas (2019) and Calderstones (2014-15)").

    A year belongs to the trust named last before it. Empty unless every trust asked about
    has a year of its own and they differ, or a year is written right after one trust's name
    ("Oxleas's 2021 values"), when the others are asked about in any year.
    """
    if len(analysis.trusts) < 2 or not analysis.years:
        return {}
    text = analysis.question.lower()
    places = []
    for trust in TRUSTS:
        if trust.name in analysis.trusts:
            for alias in trust.aliases:
                found = re.finditer(rf"\b{re.escape(alias.lower())}\b", text)
                places += [(m.start(), trust.name, m.end()) for m in found]
    owned: dict[str, list[str]] = {}
    for match in _YEAR.finditer(analysis.question):
        lead = re.findall(r"[a-z]+", analysis.question[: match.start()].lower())[-1:]
        if RANGE_WORDS.intersection(lead):
            continue  # "Oxleas since 2018": a range, not a year of its own
        before = [p for p in places if p[0] < match.start()]
        if before:
            owned.setdefault(max(before)[1], []).append(match.group())
    years = {trust: tuple(dict.fromkeys(found)) for trust, found in owned.items()}
    if set(years) != set(analysis.trusts) or len(set(years.values())) < 2:
        return _years_held_close(analysis, places)
    return years


_TOPIC_END = r"(?=\s*(?:[,;?.]|$)|\s+(?:and|with|to|against|versus|vs)\b)"


def own_topics(analysis: QuestionAnalysis) -> dict[str, str]:
    """What is asked of each compared trust, when each is asked its own thing.

    "Lincolnshire's core values, Oxleas's values and North Staffordshire's four quality
    priorities": the words after each trust's possessive, up to the next comma or "and".
    Empty unless at least two of the trusts have words of their own.
    """
    if len(analysis.trusts) < 2:
        return {}
    topics = {}
    for trust in TRUSTS:
        if trust.name not in analysis.trusts:
            continue
        for alias in trust.aliases:
            pattern = rf"\b{re.escape(alias)}['’]s?\s+(?P<topic>[^,;?.]+?){_TOPIC_END}"
            found = re.search(pattern, _laid_out(analysis.question), re.I)
            if found:
                topics[trust.name] = _YEAR.sub(" ", found.group("topic")).strip()
                break
    words = [topic.lower().split() for topic in topics.values()]
    runs_on = any(a != b and b[: len(a)] == a for a in words for b in words)  # "staff respond"
    if runs_on or any(w[:1] == ["and"] or len(w) > 4 for w in words):
        return {}  # "Oxleas's and SWYPFT's values", "SWYPFT's staff respond to the survey"
    return topics if len(topics) >= 2 and len(set(topics.values())) >= 2 else {}


def _years_held_close(analysis: QuestionAnalysis, places) -> dict[str, tuple[str, ...]]:
    """Years written right after one trust's name ("Oxleas's 2021 values") as only its own.

    The other trusts compared ("Lincolnshire's core values") are asked about in any year.
    """
    if re.search(r"['’]s?\s+and\b", analysis.question):
        return {}  # "Oxleas's and SWYPFT's 2019 results": a year both share
    ends = {end: trust for _, trust, end in places}
    owned: dict[str, list[str]] = {}
    for match in _YEAR.finditer(analysis.question):
        gap = [end for end in ends if 0 <= match.start() - end <= 4]
        if not gap or not re.fullmatch(
            r"['’]s?\s+|\s*\(", analysis.question[max(gap) : match.start()]
        ):
            return {}
        owned.setdefault(ends[max(gap)], []).append(match.group())
    return {trust: tuple(owned.get(trust, ())) for trust in analysis.trusts}


def question_parts(question: str) -> list[str]:
    """A two-part question's parts ("Who led it and what was the outcome?"), else itself.

    A part starts at "and" before a question word, or after a question mark; each part has
    at least three words ("How and why did it change?" is one question).
    """
    parts = [p.strip(" ,;") for p in _NEXT_PART.split(question.strip()) if p.strip(" ,;?")]
    if len(parts) != 2 or any(len(p.split()) < 3 for p in parts):
        return [question]
    if not _QUESTION_START.match(parts[1]):
        return [question]  # "... ? Board member here wanting the honest picture."
    return [p if p.endswith("?") else f"{p}?" for p in parts]


_QUESTION_START = re.compile(
    r"(?:what|when|who|whom|how|which|why|where|did|does|do|was|were|is|are|has|have|can|"
    r"could)\b",
    re.I,
)
_NEXT_PART = re.compile(
    r",?\s+and\s+(?=(?:what|when|who|whom|how|which|why|where|did|does|was|were|has|have)\b)"
    r"|(?<=\?)\s+(?=\S)",
    re.I,
)


def _answer_type(question: str) -> str:
    """The answer type of the question's first clause (a second part rarely changes it)."""
    if _WHICH_FIRST.search(question):
        return DATE  # "Which got to good first, Calderstones or Somerset?": each one's date
    question = _LEADING_WHEN.sub("", question)  # "When it was rated good, what did it do?"
    question = _TOPIC_FIRST.sub("", question)  # "Calderstones - who was brought in ...?"
    first = re.split(r"[?;]|,\s*and\b|\band (?=how|what|when|who|which|why)", question)[0]
    for text in (first, question):
        for answer_type, pattern in _TYPE_RULES:
            if pattern.search(text) and not (
                answer_type == FIGURE and _WHAT_IT_BOUGHT.search(text)
            ):
                return answer_type
        if _WHAT_IS.match(text):
            return HOW_WHAT  # "What is X, when did it start and how far has it grown?"
    return HOW_WHAT


# Which of two trusts (masked as X) got somewhere first: "Who got to good sooner, X or X?"
_WHICH_FIRST = re.compile(
    r"^\W*(?i:which|who)\b[^?]{0,60}\b(?i:first|sooner|earlier|quicker|faster)\b[^?]*"
    r"\bX\b[^?]{0,40}\bor\b\s+X\b",
)
# What money bought: "what did it pay for?", "what did it spend the money on?"
_WHAT_IT_BOUGHT = re.compile(
    r"\b(?:spend|spent|pay|paid|invest|invested)\s+(?:(?:the|its|their|that|this)\s+"
    r"(?:money|cash|funding|grant|sum|funds?)\s+)?(?:for|on|in)\W*$",
    re.I,
)
# A short topic said before the question ("Calderstones - who ...", "LPFT: what did ...").
_TOPIC_FIRST = re.compile(
    r"^\W*(?!(?:what|how|who|when|which|why|where|do|does|did|is|are|was|were)\b)"
    r"(?:[\w'’&.]+ ?){1,4}\s*[-–—:]\s+(?=(?:who|whom|whose|what|when|how|which|why|where)\b)",
    re.I,
)
# A when-clause that sets the time of the question that follows it.
_LEADING_WHEN = re.compile(
    r"^\W*(?:when|once|after|now that)\b(?!\s+(?:was|were|did|does|do|is|are|has|had|have)\b)"
    r"[^,?]{3,90},\s*"
    r"(?=(?:what|how|who|whom|which|why|where|did|do|does|was|were|is|are|has|have)\b)",
    re.I,
)
_WHAT_IS = re.compile(r"\W*(?:what|how) (?:is|was|are|were|did|does|do|has|have)\b", re.I)


def _figure_kind(question: str) -> str:
    spell = r"\bhow many (?:years|months|weeks|days)\b(?!\s+(?:in a row|running|consecutive))"
    if re.search(r"\bhow long\b|" + spell, question, re.I):  # not "how many years in a row"
        return "duration"
    if re.search(r"\bhow many\b", question, re.I) and not _PERCENT.search(question):
        return "count"
    if re.search(r"\bscores?\b", question, re.I) and not _MONEY.search(question):
        return "score"  # "its staff engagement score": a number, not "four levels"
    if _MONEY.search(question):
        return "money"
    if _PERCENT.search(question):
        return "percent"
    return "count"


def _scope(question: str, trusts: list[str], answer_type: str, names: list[str]) -> str:
    question = _AFTER_THE_REPORT.sub(" ", question)  # "after the 2018 publication": a time
    if len(trusts) > 1:
        return NAMED_TRUSTS
    if trusts:
        return ONE_TRUST
    # "the trusts working with the police or the Department of Health": the trusts' work
    bodies = all(_A_BODY.search(name) for name in names)  # no person among the names
    named = names and not (_THE_TRUSTS_DOING.search(question) and bodies)
    if _ABOUT_REPORT.search(question) or named or asks_make_up(question):
        return REPORT
    if _REPORT_SAYS.search(question) and not _TRUST_BY_TRUST.search(question):
        return REPORT
    if answer_type == WHICH_TRUST or _ALL.search(question) or themes_in_text(question):
        return ALL_TRUSTS
    if _EXAMPLES_ASKED.search(question) and _themes(question):
        return ALL_TRUSTS  # "Give me examples of people with lived experience in real roles"
    if _THEY.search(question) and not _THEY_ARE_CQC.search(question):
        # "what did they aim for next?": here "they" are the trusts
        return ALL_TRUSTS
    return REPORT


# "what went wrong ... that pulled it back to requires improvement": the outcome it led to
_OUTCOME = (
    r"\b(?:that|which)\s+(?:pulled|pushed|dragged|brought|sent|put|took|led|caused|"
    r"resulted)\b[^?;.]*?\b(?:ratings?|rated|requires improvement|inadequate|special measures|"
    r"outstanding|good)\b[^?;.]*"
)
_CONDITION = re.compile(
    rf"\b(?:after|when|following|once|since|before|because)\b[^?;.]*|{_OUTCOME}", re.I
)


def asks_cause(question: str) -> bool:
    """True for a question on what led to an outcome it names ("... that pulled it back")."""
    return bool(re.search(_OUTCOME, question, re.I))


_REPLY_TO = re.compile(r"\b(?:respon\w*|react\w*|repl\w*|answer\w*)\s+to\b", re.I)
_PREMISE = re.compile(
    r"^(?P<premise>[^?]{12,}?)\s+[-–—:]\s+(?=(?:so\s+)?(?:how|what|why|when|who|which|did|was)\b)",
    re.I,
)


_AFTER_SUBJECT = re.compile(
    r"\b(?:X|they|it|he|she|leaders|trusts|staff)\s+(?:actually\s+|really\s+|first\s+)?"
    r"(?P<verb>[a-z]{3,})\b"
)
_PARTICIPLE = re.compile(r"\b[a-z]{3,}ed\b")
# Nouns that follow a name or "staff" ("X staff responded", "the staff survey"), never verbs.
_NOUNS_AFTER_SUBJECTS = (
    "staff survey board services patients rating ratings inspection report culture team "
    "teams chief chair leadership governance values vision strategy income budget volunteers "
    "members wards nurses doctors"
)
_NOT_VERBS = frozenset(
    ["need", "speed", "red", "bed", "seed", "feed", "shed", "hundred", "respond", "react"]
    + _NOUNS_AFTER_SUBJECTS.split()
)


def _verbs(text: str) -> tuple[str, ...]:
    """The question's verbs among its words: the word after its subject and "-ed" words.

    Args:
        text: The question with organisation names replaced by "X".

    """
    found = [m.group("verb") for m in _AFTER_SUBJECT.finditer(text)]
    found += _PARTICIPLE.findall(text.lower())
    return tuple(dict.fromkeys(w for w in found if w not in _NOT_VERBS and w not in _SCAFFOLD))


def _premise_span(question: str) -> tuple[int, int] | None:
    """Where a premise stands, if the question has one.

    It comes before a dash ("Both fell back in 2018 - how did they differ?") or is what is
    responded to ("their response to the rating it got in 2015").
    """
    premise = _PREMISE.search(question)
    if premise:
        return premise.span("premise")
    reply = _REPLY_TO.search(question)
    if reply:
        end = re.search(r"[?;.]|$", question[reply.end() :]).start() + reply.end()
        if not responds_to_topic(question):
            return reply.end(), end
    return None


def responds_to_topic(question: str) -> bool:
    """True when what is responded to is a topic of its own, not the rating or report.

    In "How did X respond to CQC's concerns about face-down restraint?" the restraint is
    what the answer is about; in "How did X respond to its 2015 rating?" the rating only
    sets the scene for what X did.
    """
    reply = _REPLY_TO.search(question)
    if reply is None:
        return False
    clause = re.split(r"[?;.]", question[reply.end() :])[0]
    words = set(tokenize([_YEAR.sub(" ", clause)])[0]) - trust_name_words() - stop_words()
    generic = _responded_to_words()
    # "the requires improvment rating": a slip in a word for the rating is no topic
    return any(not difflib.get_close_matches(w, generic, n=1, cutoff=0.8) for w in words)


@functools.cache
def trust_name_words() -> frozenset[str]:
    """Words of the trusts' names ("partnership"), never a longer form of a focus word."""
    return frozenset(tokenize([" ".join(t.name for t in TRUSTS)])[0])


@functools.cache
def _responded_to_words() -> frozenset[str]:
    """Stems of the words for a rating, report or finding as a whole (what is responded to)."""
    return frozenset(tokenize([_RESPONDED_TO])[0])


_RESPONDED_TO = (
    "rating ratings rated rate report reports inspection inspections inspected inspectors "
    "inspector cqc finding findings result results verdict judgement judgment initial first "
    "earlier original previous last latest requires improvement inadequate good outstanding "
    "overall concern concerns criticism criticisms failings problems issues feedback visit "
    "downgrade downgraded upgrade upgraded being told told news publication published got "
    "get received receive given gave awarded earned it its their his her they them this that "
    "care quality commission "
    "january february march april may june july august september october november december"
)


def in_scene_setting(question: str, at: int) -> bool:
    """True when the offset falls in the question's premise or scene-setting clause."""
    span = _condition_span(question)
    return bool(span) and span[0] <= at < span[1]


def _condition_span(question: str) -> tuple[int, int] | None:
    """Where the clause that sets the scene stands, if the question has one.

    It is a premise, or a clause opening with after/when/since... that does not open the
    question ("When did ..." is the question itself).
    """
    premise = _premise_span(question)
    if premise:
        return premise
    match = _CONDITION.search(question)
    if match and match.start() > 0:
        return match.span()
    leading = _LEADING_CONDITION.match(question)  # "Once it was rated outstanding, what ..."
    return leading.span("clause") if leading else None


_LEADING_CONDITION = re.compile(
    r"\W*(?P<clause>(?:after|once|following|since|when|before)\b[^,?]{3,80}),\s*"
    r"(?=(?:what|how|who|which|did|does|was|were|where|why)\b)",
    re.I,
)


def _condition(question: str) -> str:
    """The clause that sets the scene ("... respond after CQC rated it inadequate?"), or ''."""
    span = _condition_span(question)
    return question[span[0] : span[1]] if span else ""


def as_checked_claim(question: str) -> str:
    """A claim put for checking, as a yes/no question; any other question as it is.

    "I've been told Oxleas was rated outstanding in 2019. Is that correct?" and "Oxleas was
    rated outstanding in 2019, wasn't it?" ask "Is it the case that Oxleas was rated
    outstanding in 2019?".
    """
    check = _CHECK.search(question) or _TAG.search(question)
    if not check:
        return question
    claim = _HEARSAY.sub("", question[: check.start()]).strip(" ,.;:-")
    if not claim or _QUESTION_START.match(claim):
        return question
    first, _, rest = claim.partition(" ")
    if first.lower() in stop_words() or first.lower() in _COMMON_OPENERS:  # "Most trusts ..."
        claim = f"{first.lower()} {rest}"
    return f"{_IS_IT_SO} {claim}?"


_IS_IT_SO = "Is it the case that"
_COMMON_OPENERS = frozenset(["most", "all", "every", "each", "some", "both", "none", "several"])
_IS_IT_SO_RE = re.compile(
    r"^\W*(?:is|was)\s+it\s+(?:the case|true|right|correct|so)\s+that\b", re.I
)
# Who said the claim being checked: "I've been told (that)", "apparently", "I think".
_HEARSAY = re.compile(
    r"^\s*(?:i(?:'ve| have)? (?:been told|heard|read)|i was told|someone (?:told me|said|says)|"
    r"apparently|i (?:think|believe|understand|gather)|my understanding is)(?:\s+that)?[,:]?\s+",
    re.I,
)
# A check put after a claim: "Is that correct?", "..., right?", "Am I right?"
_CHECK = re.compile(
    r"(?:[.,;:!?]|\s-)\s*(?:(?:is|was|isn't|wasn't) (?:that|this|it)(?: not)? "
    r"(?:correct|right|true|so|accurate)|am i (?:right|correct)|have i got (?:that|it) right|"
    r"(?:is that )?(?:right|true|correct))\s*\?+\s*$",
    re.I,
)
# A tag question: "..., didn't it?", "..., wasn't he?"
_TAG = re.compile(
    r",\s*(?:didn't|did|wasn't|was|isn't|is|hasn't|has|haven't|have|weren't|were|doesn't|does|"
    r"hadn't|had|won't|can't)\s+(?:it|they|he|she|there)(?:\s+not)?\s*\?+\s*$",
    re.I,
)
_QUESTION_START = re.compile(
    r"(?:what|how|why|when|who|whom|which|where|did|does|do|was|were|is|are|has|have|had|can|"
    r"could)\b",
    re.I,
)
_WHATS = re.compile(r"\bwhat['’]?s\b", re.I)
# "According to CQC, ...": who says it frames the question; it names nothing asked about.
_ATTRIBUTED = re.compile(r"\b(?:according to|in the words of|as per)\b", re.I)
# How the answer should be laid out, which says nothing of what it is about.
_LAYOUT = re.compile(
    r"\s*\b(?:side[- ]by[- ]side|in (?:a|one) table|(?:in|as) bullet points|(?:in|as) a list)\b"
    r"(?!\s+of\b)",
    re.I,
)
_SET_OUT = re.compile(r"^\W*(?:set|put|lay|line)\s+(?:out\s+|up\s+)?", re.I)


def _laid_out(question: str) -> str:
    """The question without its layout: "Set A's and B's values side by side" compares them."""
    if not _LAYOUT.search(question):
        return question
    return _SET_OUT.sub("Compare ", _LAYOUT.sub("", question))


def _whole_years(question: str) -> str:
    """A span of years written short ("2018-19", "2014/15") as both years: "2018 2019"."""
    return _YEAR_SPAN.sub(lambda m: f"{m[1]} {_second_year(m[1], m[2])}", question)


def _second_year(first: str, last_two: str) -> str:
    """The span's second year in full: "2018-19" ends 2019, "1999-00" ends 2000."""
    century = int(first[:2]) + (1 if last_two < first[2:] else 0)
    return f"{century}{last_two}"


_YEAR_SPAN = re.compile(r"\b((?:19|20)\d{2})\s*[-–/]\s*(\d{2})\b(?![-–/]?\d)")


def topic_text(analysis: QuestionAnalysis) -> str:
    """The question with each of the seven trusts' names put as "the trust": its topic."""
    trusts = tuple(org for org in analysis.organisations if org.trust)
    text = _without_names(analysis.question, trusts)
    return " ".join(text.replace(" X ", " the trust ").split())


def _without_names(
    masked: str, organisations: tuple[Organisation, ...], possessive: str = " X "
) -> str:
    """The question with every organisation and trust name replaced by a plain 'X'.

    Args:
        masked: The question.
        organisations: Organisations it names.
        possessive: What a name with "'s" becomes ("X's rating" has no verb after X).

    """

    def mask(match: re.Match) -> str:
        return possessive if match.group().endswith(("'s", "’s")) else " X "

    text = masked
    for org in organisations:
        text = re.sub(re.escape(org.name) + r"(?:'s|’s)?", mask, text, flags=re.I)
    for trust in TRUSTS:
        for alias in sorted((trust.name.lower(), *trust.aliases), key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(alias)}(?:'s|’s)?\b", mask, text, flags=re.I)
    return " ".join(text.split())


_ASKING = re.compile(
    r"\?|^\W*(?:what|which|who|whom|whose|when|where|why|how|did|does|do|was|were|is|are|has|"
    r"have|had|can|could|compare|tell|explain|list|describe|give|show|summari[sz]e)\b",
    re.I,
)
_REPORT_TITLE = re.compile(r"\bdriving improvement\b|\bhow long\b", re.I)


# "I'm new to QI - what's ...", "As a board member - how ...": who asks, not what.
_WHO_ASKS = re.compile(
    r"^[^?]{0,80}?\b(?:I|I'm|I’m|I am|we|we're|my|our|as an?)\b[^?]{0,80}?\s[-–—:]\s+"
    r"(?=(?:what|how|which|who|why|when|where|did|does|is|are|can)\b)",
    re.I,
)


# "My board wants to know whether ...": who asks, before what they ask.
_WANTS_TO_KNOW = re.compile(
    r"^\W*(?:i|we|my [\w-]+|our [\w-]+|the [\w-]+)\s+(?:wants?|needs?|would like|asked|asks)"
    r"\s+to\s+(?:know\s+)?(?:whether|if)\s*",  # "know" may already be gone as filler
    re.I,
)
# What is left after the dash only points back at what came before it.
_ONLY_POINTS_BACK = re.compile(
    r"^\W*(?:which|what|who|when)\s+(?:ones?|of them|them|they|it|those)\b[^?]{0,30}\??\s*$",
    re.I,
)


# An asking part that only points back to the context before it ("sort that out").
_LEANS_ON_CONTEXT = re.compile(
    r"^(?=[^?]{0,80}\?*\s*$)[^?]*\b(?:\w+ed|sort|fix|deal with|tackle|solve|handle)\s+"
    r"(?:that|this|it|them|those)\b"
    # "... - which of these trusts had the same problem?": the problem said before the dash
    r"|\bthe same (?:problems?|issues?|rating|concerns?|thing)\b",
    re.I,
)


def _after_a_lead_in(sentence: str) -> list[str]:
    """A sentence split after a short lead-in that ends in a colon, when a question follows.

    "Board away day prep: what were the key themes ...?" and "For context in a CQC briefing:
    how many ...?" set the scene; what follows the colon is asked.
    """
    head, colon, rest = sentence.partition(": ")
    if not colon or "?" in head or len(head.split()) > 12 or not _ASKING.match(rest):
        return [sentence]
    if not _LEAD_IN.search(head):
        return [sentence]  # "Staff survey: what did Oxleas find?" names the topic
    return [head + ".", rest]


_COMPARING = r"(?:Comparing|Contrasting|Regarding|Considering|Looking at)\b"
# What a lead-in says of the asker's purpose ("Board away day prep", "For a paper on ..."), or
# a verb that opens it ("Comparing A and B").
_LEAD_IN = re.compile(
    r"\b(?:prep|preparing|briefing|meeting|paper|session|presentation|away day|background|"
    r"for context|quick question|for (?:my|our)\b|\bq\b|\bqn\b|\bquery\b)"
    r"|^\W*(?:hi|hello)\b|^\W*" + _COMPARING,
    re.I,
)


def _asked_part(text: str) -> str:
    """The sentences that ask, without those that only say who is asking.

    "… last after 2018? Board member here wanting the honest picture." keeps the question, and
    so does "I'm new to QI - what's the biggest thing ...".
    """
    text = _WANTS_TO_KNOW.sub("", _AS_A_ROLE.sub("", text.strip()))
    asked = _WHO_ASKS.sub("", text)
    if _ONLY_POINTS_BACK.match(asked) or _LEANS_ON_CONTEXT.search(asked):
        asked = text  # "... went backwards after being praised - which ones?"; "my trust keeps
        # getting flagged for ligature risks - did any of them sort that out?"
    sentences = re.split(r"(?<=[.?!])\s+", asked)
    sentences = [part for sentence in sentences for part in _after_a_lead_in(sentence)]
    asking = [sentence for sentence in sentences if _ASKING.search(sentence)]
    pointing = [i for i, s in enumerate(sentences) if _ASKING.search(s) and _POINTS_BACK.search(s)]
    if pointing and pointing[0] > 0 and not _SAYS_WHO.match(sentences[pointing[0] - 1]):
        # "We're thinking of trialling a checklist for aggression. Oxleas did something like
        # this, didn't they? ...": the sentence just before says what this is
        asking = [s for i, s in enumerate(sentences) if _ASKING.search(s) or i == pointing[0] - 1]
    if asking and all(_ONLY_FOR_EXAMPLES.match(sentence) for sentence in asking):
        return asked  # "I'm interested in how X did Y. Is there a concrete example?": Y
    return " ".join(asking) if asking and len(asking) < len(sentences) else asked


# "As a governor I'm ...", "As a new NED, we ...": the asker's role, before what they ask
_AS_A_ROLE = re.compile(
    r"^\W*as an?\s+(?:[\w'-]+,?\s+){1,4}?(?=(?:I|I'm|I'd|I've|we|we're|our|my)\b)", re.I
)
# An asking sentence with no topic of its own: it asks for an example of what was said before.
_ONLY_FOR_EXAMPLES = re.compile(
    r"^\W*(?:is there|are there|(?:can|could) you (?:give|share|show|point)(?: me| us)?(?: to)?|"
    r"give me|show me|point me to|do (?:you|we) have|have you got|any)\s+"
    r"(?:(?:a|an|any|some|one|more)\s+)?"
    r"(?:(?:concrete|specific|real|practical|good|actual|real-life|recent)\s+)?"
    r"(?:examples?|evidence|instances?|cases?|case stud(?:y|ies)|details?|specifics)\b"
    r"(?:\s+(?:of (?:this|that|it)|at all|please|in practice))*\W*$",
    re.I,
)


# An asking sentence that points back at what was said before it.
_POINTS_BACK = re.compile(
    r"\b(?:(?:something|anything) like (?:this|that)|the same thing|(?:each|both) of them|"
    r"turn(?:ed)? things (?:a)?round)\b",
    re.I,
)
# A sentence that says who is asking ("I'm a new NED at a trust rated RI.").
_SAYS_WHO = re.compile(
    r"^\W*(?:(?:I'm|I’m|I am|we're|we’re|we are|as)\s+(?:a|an|the|new|one)\b|our\b|my\b|"
    r"we had\b)",
    re.I,
)


def _focus(masked: str, organisations: tuple[Organisation, ...]) -> str:
    """The question's topic words: everything but scaffolding, names of trusts and filler."""
    text = _without_names(_asked_part(masked), organisations).replace(" X ", " ")
    if re.search(r"\bhow long\b", text, re.I):
        text = _TAKE_TIME.sub(" ", text)
    text = _REPORT_TITLE.sub(" ", text)
    text = _GO_ABOUT.sub(" ", text)
    text = _WHAT_TIME.sub(" ", text)
    text = _CONTRAST.sub(" ", text)
    text = re.sub(r"\bno longer\b", " ", text, flags=re.I)  # "no longer exist": "exist" asks
    text = _BROKEN_DOWN.sub(" ", text)  # "how did those ratings break down": into what
    if not _MAKE_UP.search(text):  # "the trusts featured in the report": which trusts
        text = _FEATURED_IN_THE_REPORT.sub(" ", text)
    text = _HOW_LONG_IN_POST.sub(" ", text)  # "the long-serving chief executive": who, not what
    text = _WENT_ON.sub(" left moved ", text)
    text = _CAME_OUT.sub(" published ", text)
    text = _IS_IT_SO_RE.sub(" ", text)  # "is it true that X was rated good": X rated good
    text = _TELL_ME.sub(" ", text)  # "tell me about": no topic; "what did CQC tell X": told
    text = _FOR_THE_ASKER.sub(" ", text)  # "... that I should push our board on": their use
    text = re.sub(r"\bput (?:it |things )?right\b", " ", text, flags=re.I)  # what it had to do
    text = _ASIDE.sub(" ", text)  # "in a nutshell": how to answer, not what about
    text = re.sub(r"\b(?:e\.g|i\.e|etc)\b\.?", " ", text, flags=re.I)  # "e.g. SPC charts"
    text = re.sub(r"\bnext[\s-]door\b", " ", text, flags=re.I)  # where, said by the name
    # "in practice", "practical steps": how real the answer should be ("practice" stems alike)
    text = re.sub(r"\bin practice\b|\bpractical(?:ly)?\b", " ", text, flags=re.I)
    text = _as_the_documents_say_it(text)
    text = re.sub(r"\b(?:outside|beyond) (?:their|its|our) own walls\b", " ", text, flags=re.I)
    # "ended up merging": the merging is asked about
    text = re.sub(r"\b(?:end|ends|ended|ending) up\b(?=\s+\w+ing\b)", " ", text, flags=re.I)
    text = _SEASON.sub(" ", text)  # "in summer 2016": a time, said as "in August 2016"
    text = _IN_THE_REPORT.sub(" ", text)  # "the lesson in CQC's report": where, not what
    text = _THE_SEVEN.sub(" ", text)  # "of the seven mental health trusts": which, not what
    words = [w.strip("'’.,-") for w in _WORD.findall(text) if w != "X"]
    kept = [w for w in words if w and w.lower() not in _SCAFFOLD and w.lower() not in FILLER]
    return " ".join(w for w in kept if not _YEAR.fullmatch(w) and not _MONTH.fullmatch(w))


# "How big was the grant?", "the wider partnership ... how big is it?": not a trust's size
# "how big was Calderstones", "how large is it", "size-wise": the trust's size
_HOW_BIG = re.compile(
    r"\bhow (?:big|large)(?=\s+(?:is|was|are|were)\b)|\b(?:size|staff)-?wise\b", re.I
)
_SIZE_OF_ANOTHER = re.compile(
    r"\b(?:grant|fund\w*|budget|deficit|surplus|income|turnover|spend\w*|cost|sum|award|"
    r"investment|contract|gap|saving\w*|partnership|system|alliance|network|programme|"
    r"project|academy|caseloads?|waits?|waiting lists?)\b",
    re.I,
)


_KEPT_POSTED = re.compile(
    r"\b(?:keep|kept|keeping|keeps)\s+(?P<who>(?:[\w'’,-]+\s+){0,6}?)"
    r"(?:posted|informed|in the loop|up to date|up-to-date|updated|abreast)\b",
    re.I,
)


def _as_the_documents_say_it(text: str) -> str:
    """Everyday phrases put in the words the documents use ("keep tabs on": monitored)."""
    text = re.sub(r"\b(?:keep|kept|keeping) tabs\b", " monitored ", text, flags=re.I)
    text = _PUT_MONEY.sub(" funded ", text)  # "who put money into it": who funded it
    # "which trusts did CQC go back to": the ones it revisited
    text = _WENT_BACK.sub(lambda m: f" {m.group('who')} back revisited ", text)
    text = _TEAMED_UP.sub(" partnered ", text)  # "who did they team up with": partners
    text = _CAME_TOP.sub(" first ", text)  # "who came top of the list": first place
    text = _RAISE_CONCERNS.sub(r"\g<0> speaking", text)  # raising concerns is speaking up
    text = _GOT_OUT_OF.sub(" received from ", text)  # "how much did it get out of the fund"
    # "keep staff posted on progress": the progress updates they were given
    told = " updates " if re.search(r"\bprogress\b", text, re.I) else " "  # "progress updates"
    text = _KEPT_POSTED.sub(lambda m: f" {m.group('who')}{told}", text)
    text = _TURNING_ROUND.sub(" ", text)  # "while it was turning itself round": when
    text = _BACK_THEN.sub(_time_only, text)  # "back in 2013": in 2013
    text = re.sub(r"\b(?:that|this|the|his|her)\s+(?:person|individual|man|woman)'s\b", " ", text)
    # "how big was it staff-wise", "size-wise": its size, told by its staff and people served
    if not _SIZE_OF_ANOTHER.search(text):
        text = _HOW_BIG.sub(" size ", text)
    text = re.sub(r"\bQI\b", " quality improvement ", text, flags=re.I)  # as the notes write it
    return re.sub(r"\b(?:DH|DoH|DHSC)\b", " Department of Health ", text)


_BACK_THEN = re.compile(
    r"(?P<before>\b[\w']+\s+)?(?:way\s+)?back\s+(?=(?:in\s+(?:\w+\s+)?(?:19|20)\d\d|then|when)\b)",
    re.I,
)
# Verbs whose "back" is part of what was done ("bring back", "went back", "cut back")
_BACK_VERBS = _words(
    "bring brought come came go went get got put take took give gave cut scale scaled roll "
    "rolled hold held look looked pay paid fight fought bounce bounced step stepped"
)


def _time_only(match: re.Match) -> str:
    """The words before "back in 2013" (a time); "brought back in 2019" as it is."""
    before = match.group("before") or ""
    if before.strip().lower() in _BACK_VERBS:
        return match.group()
    return f"{before} "


_TURNING_ROUND = re.compile(
    r"\b(?:while|whilst|when|as)\s+(?:it|they|the trusts?)\s+(?:was|were)\s+"
    r"(?:turning|improving|recovering)\b(?:\s+(?:itself|themselves|things)\s+(?:a)?round)?",
    re.I,
)


# The seven named by what they are, and a rating's scope said loosely ("for a single key
# question"): which trusts and which rating, not the topic.
# Any one of CQC's key questions: "outstanding overall or for a single key question".
ANY_KEY_QUESTION = (
    r"\bfor\s+(?:a|any|one|a single|at least one|some|each|one of)\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:key questions?|domains?|areas?)\b"
)
_THE_SEVEN = re.compile(
    r"\b(?:the|these|those)\s+(?:seven\s+|7\s+|featured\s+)?(?:specialist\s+)?(?:nhs\s+)?"
    r"mental health (?:nhs\s+)?trusts\b(?!['’]?\s*(?:report|case stud))"
    rf"|{ANY_KEY_QUESTION}",
    re.I,
)
# Where the asker looks, not what for: "in CQC's report on the seven trusts", "in CQC's
# summary"; "what did it boil down to" asks what it was.
_IN_THE_REPORT = re.compile(
    r"\b(?:in|from)\s+(?:cqc'?s|the)\s+(?:own\s+)?(?:\d{4}\s+)?(?:report|summary|overview)"
    r"(?:\s+on\s+the\s+(?:seven\s+)?(?:mental health\s+)?trusts)?\b"
    r"|\b(?:boil|boils|boiled|boiling)\s+down(?:\s+to)?\b",
    re.I,
)
# Asides on how short the answer should be: "in a nutshell", "briefly", "the gist".
_ASIDE = re.compile(
    r"(?:^|[,;:(-])\s*(?:in (?:a nutshell|brief|short|a word|a sentence|one line|plain english|"
    r"a few words|summary)|the gist|briefly|tl;?dr|summed up)\s*(?=[,;:)?!.-]|$)",
    re.I,
)
_TEAMED_UP = re.compile(r"\bteam(?:s|ed|ing)?\s+up\b", re.I)
_CAME_TOP = re.compile(r"\b(?:came|come|comes|coming)\s+top\b|\btopped\b", re.I)
_RAISE_CONCERNS = re.compile(r"\brais(?:e|es|ed|ing)\s+(?:concerns?|issues?|worries)\b", re.I)
# What a trust got out of something: what it received from it.
_GOT_OUT_OF = re.compile(
    r"\b(?:get|gets|got|getting)\s+out\s+of\b(?=\s+(?:the\s+|a\s+|its\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:fund|funds|funding|grant|pot|money|scheme|budget)\b)",
    re.I,
)
# A visit made again: "did CQC go back to", "came back into" (not "went back to good").
_WENT_BACK = re.compile(
    r"\b(?P<who>cqc|inspectors?|the regulator)\s+(?:\w+\s+)?(?:go|goes|went|gone|going|come|came|"
    r"comes|coming) back (?:to|into|in)\b"
    rf"(?!\s+(?:being\b|the rating\b|a rating\b|{RATING_PATTERN}))",
    re.I,
)
# Money put into something: what it was funded with or by.
_PUT_MONEY = re.compile(
    r"\b(?:put|puts|putting|invested|gave|give)(?: up)? (?:the |any |some )?"
    r"(?:money|cash|funds?|funding) (?:in|into|towards|to|for)\b",
    re.I,
)
# A season of a year ("summer 2016", "the spring of 2017"): when, not what.
_SEASON = re.compile(
    r"(?:(?<=\bin )|(?<=\bby )|(?<=\bduring )|(?<=\bfrom )|(?<=\buntil )|(?<=\bsince )|"
    r"(?<=\bover )|(?<=\bthe ))(?:spring|summer|autumn|winter)\b"
    r"(?=\s+(?:of\s+)?(?:19|20)\d{2}\b(?!\s+(?:report|inspection|review|update)))",
    re.I,
)
# "How long did it take X to ...": the "take" asks for a duration; it is not a topic.
_TAKE_TIME = re.compile(r"\b(?:take|takes|took|taken)\b(?=.*\bto\b)|\bto take\b", re.I)


# "Where did they go next?": a leader's next post, which documents say they left or moved to.
_WENT_ON = re.compile(
    r"\b(?:go|went|gone|move|moved|head|headed)\s+(?:next|after(?:wards)?)\b"
    # "go on to do / lead", not "went on to be rated outstanding"
    r"|\b(?:go|went|gone|move|moved)\s+on\s+to\s+(?:do|lead|run|head|join|work)\b"
    r"|(?<=\bwhere\b)(?=[^?]*\b(?:go|went|gone|move|moved)\W*$)[^?]*\b(?:go|went|gone|move|moved)\b",
    re.I,
)
_FEATURED_IN_THE_REPORT = re.compile(
    r"\b(?:featured|profiled|included|covered|named)\s+in\s+(?:the\s+|this\s+|cqc'?s\s+)?"
    r"(?:(?:\d{4}|driving|improvement|mental|health|march|cqc'?s)\s+){0,5}"
    r"(?:report|study|case studies)\b",
    re.I,
)
_BROKEN_DOWN = re.compile(
    r"(?<=\bratings )(?:break|broke|broken) down\b|(?<=\bresults )(?:break|broke|broken) down\b"
    r"|(?<=\bthose )(?:break|broke|broken) down\b|(?<=\bthey )(?:break|broke|broken) down\b"
    r"|\bbreakdown of\b",
    re.I,
)
_HOW_LONG_IN_POST = re.compile(r"\blong[- ](?:serving|standing|time|established)\b", re.I)
# What the asker will do with the answer: "that I should push our board on", "to take to my team".
_FOR_THE_ASKER = re.compile(
    r"\b(?:that|which)?\s*(?:i|we)\s+(?:should|could|can|must|might|want to|need to)\s+"
    r"(?:push|ask|raise with|challenge|take to|tell|bring to|share with)\s+(?:our|my)\s+"
    r"(?:board|team|trust|colleagues|execs?|executives)(?:\s+(?:on|about|with))?\b",
    re.I,
)
_TELL_ME = re.compile(r"\b(?:tell|telling|tells)\s+(?:me|us|you)\b|^\W*tell\b", re.I)
# "When did the follow-up come out?": when it was published.
_CAME_OUT = re.compile(r"\b(?:come|came|comes|coming)\s+out\b(?!\s+of\b)", re.I)
# "... rather than rely on inspections": what the answer is set against, not what it is about.
_CONTRAST = re.compile(
    r"\b(?:rather than|as opposed to)\b[^,;?.]*"
    # "what was new compared with the 2018 mental health report": the baseline, not the topic
    r"|\bcompared (?:with|to) (?:the |its |their )?(?:\d{4} )?(?:[\w-]+ ){0,3}?report\b",
    re.I,
)
# "What year did ...", "on what date ...": the kind of answer asked for, not a topic.
_WHAT_TIME = re.compile(r"\b(?:what|which)\s+(?:year|date|month|day)\b", re.I)
# "How has X gone about building ...": the going about frames the question; it is no topic.
_GO_ABOUT = re.compile(
    r"\b(?:go|goes|going|gone|went|set|sets|setting)\s+about\b"
    r"|\b(?:carry|carries|carried|carrying)\s+out\b"  # "when was the inspection carried out"
    r"|\b(?:put|puts|putting)\s+in\s+place\b",  # "what did it put in place": what it did
    re.I,
)


# Words a question uses for a rating going down or up, for what went wrong, for a chair, for
# publishing and succeeding, and the words documents use for them. ("respond" is left out:
# "response rate" is no response to a rating.)
_SAME_MEANING = (
    "drop dropped fall fell fallen decline declined slip slipped lower lowered downgrade "
    "downgraded worsen worsened worse backwards|"
    "rise rose risen raise raised upgrade upgraded climb climbed|"
    "wrong problem problems failing failings concern concerns deteriorated shortcomings|"
    "chair chaired chairman chairwoman chairperson|back again restored regained|"
    "publish published publication release released|succeed succeeded successor succession|"
    "merge merged merger mergers merging"
)


@functools.cache
def same_meaning() -> dict[str, tuple[str, ...]]:
    """Stem -> stems of words that mean the same in questions about ratings."""
    table: dict[str, tuple[str, ...]] = {}
    for group in _SAME_MEANING.split("|"):
        stems = list(dict.fromkeys(tokenize([group])[0]))
        for stem in stems:
            table[stem] = tuple(other for other in stems if other != stem)
    for words, meanings in _ONE_WAY:
        also = tuple(tokenize([meanings])[0])
        for stem in tokenize([words])[0]:
            table[stem] = tuple(dict.fromkeys((*table.get(stem, ()), *also)))
    return table


# A question's word -> what documents say for it, one way only: a "reduction" is said as
# "fell by 43%", but a rating that "fell" is not a reduction in out-of-area placements.
_ONE_WAY = (
    ("reduce reduced reduction reductions", "fell fall fallen dropped drop cut lowered"),
    ("feedback", "survey surveys"),  # staff feedback is mostly gathered by surveys
    # engaging staff is mostly measured and acted on through their survey
    ("engage engaged engaging engagement", "survey surveys"),
    ("kid kids", "children child young"),
    # everyday words for what documents write more formally
    ("hit hitting hits", "met meet achieved reached"),
    ("target targets", "indicators indicator goals"),
    (
        "talk talked talking chat chatted speak spoke",
        "spoken spoke conversations conversation met interviewed interview interviews",
    ),
    ("heading headed", "direction future"),
    # a successor "took over", "replaced" the last one or "became" chief executive
    ("succeed succeeded succeeds", "took replaced became"),
    # methods from abroad are written as overseas models or by their country
    ("abroad foreign overseas", "overseas international usa america sweden swedish"),
    # a survey's results are given as its scores
    ("result results", "scores score scored"),
    # what became of a trust "as a separate organisation": it merged or was taken over
    ("separate standalone", "merged merger ceased acquisition acquired"),
    ("exist existed exists", "merged merger ceased acquisition acquired"),  # "no longer exist"
    # money given to a project is written as what it "received" from its funder
    ("fund funded funding funder funders", "received grant"),
    ("pot pots", "fund funds funding grant"),  # a pot of money is a fund
    ("winner winners", "first"),  # the winner took first place
    ("revisited", "returned"),  # "did CQC go back to": it returned
    ("inspector inspectors", "cqc"),  # what inspectors said is mostly written as CQC's
    # how big a trust is, is told by its staff and the people it serves
    ("size sizes", "staff employees workforce population"),
    ("workforce workforces", "staff employees employed employs"),  # its number of staff
    # "who did they team up with" (read as "partnered"): partners, alliances, joint work
    ("partnered", "partner partners partnership alliance jointly joint"),
    ("row", "running consecutive"),  # "years in a row": "the 18th year running"
    ("absorb absorbed absorbing", "merged merger acquisition acquired"),
    ("incoming", "new became took appointed joined"),  # an incoming chief executive
    # the report's trusts were chosen as ones CQC visited whose ratings had improved
    ("chosen chose choose selected select picked pick", "visited improvements ratings"),
    ("feature featured features profile profiled include included", "visited"),
    # a trust that joined another merged with it or was acquired
    (
        "join joined joining",
        "merged merger merge acquisition acquired",
    ),  # what people say, and what documents write
    # progress is tracked by boards that review it and by charts and dashboards
    ("track tracked tracking monitor monitored monitoring", "reviewed chart dashboard"),
    # involving people who use services is mostly written as co-producing with them
    ("involve involved involving involvement", "co-production co-produced co-design"),
)
