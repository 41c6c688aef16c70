"""Controlled vocabularies of the coding scheme.

The stored values are the ones that appear in CSV files and the API, so they are
short, lowercase and stable; the labels are what coders read in the admin.
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    YEAR = "year", "Year"
    RANGE = "range", "Range"


class CslType(models.TextChoices):
    # A subset of the CSL 1.0.2 item types: the ones a political-science corpus uses.
    ARTICLE_JOURNAL = "article-journal", "Journal article"
    ARTICLE_NEWSPAPER = "article-newspaper", "Newspaper article"
    ARTICLE_MAGAZINE = "article-magazine", "Magazine article"
    REPORT = "report", "Report"
    WEBPAGE = "webpage", "Web page"
    POST_WEBLOG = "post-weblog", "Blog post"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    THESIS = "thesis", "Thesis"
    PAPER_CONFERENCE = "paper-conference", "Conference paper"
    SPEECH = "speech", "Speech"
    INTERVIEW = "interview", "Interview"
    BROADCAST = "broadcast", "Broadcast"
    LEGISLATION = "legislation", "Legislation"
    TREATY = "treaty", "Treaty"
    DATASET = "dataset", "Dataset"
    DOCUMENT = "document", "Other document"


class SourceLinkRelation(models.TextChoices):
    CITES = "cites", "Cites"
    QUOTES = "quotes", "Quotes"
    DRAWS_ON = "draws_on", "Draws on data from"
    DISPUTES = "disputes", "Disputes"


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    STATE = "state", "State"
    ORGANIZATION = "organization", "Organization"
    COALITION = "coalition", "Coalition / umbrella"


class Sector(models.TextChoices):
    GOVERNMENT = "government", "Government"
    MILITARY = "military", "Military / security"
    INTELLIGENCE = "intelligence", "Intelligence"
    MILITIA = "militia", "Militia / armed group"
    PARTY = "party", "Political party"
    LEGISLATURE = "legislature", "Legislature"
    RELIGIOUS = "religious", "Religious authority"
    MEDIA = "media", "Media"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental"
    BUSINESS = "business", "Business"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    OTHER = "other", "Other"


class AliasType(models.TextChoices):
    TRANSLITERATION = "transliteration", "Transliteration"
    TRANSLATION = "translation", "Translation"
    ACRONYM = "acronym", "Acronym"
    NOM_DE_GUERRE = "nom_de_guerre", "Nom de guerre"
    FORMER_NAME = "former_name", "Former name"
    # OCR and editorial variants ("Irag", "al-Kazemi") so that search finds them too.
    SPELLING_VARIANT = "spelling_variant", "Spelling variant"


class ActorRelationType(models.TextChoices):
    MEMBER_OF = "member_of", "Member of"
    SUBUNIT_OF = "subunit_of", "Subunit of"
    LEADS = "leads", "Leads"
    DEPUTY_OF = "deputy_of", "Deputy of"
    ALLIED_WITH = "allied_with", "Allied with"
    SPONSORS = "sponsors", "Sponsors"
    RIVAL_OF = "rival_of", "Rival of"
    SUCCESSOR_OF = "successor_of", "Successor of"
    OPPOSES = "opposes", "Opposes"


class EventType(models.TextChoices):
    # The 16 PLOVER event categories ...
    AGREE = "agree", "Agree"
    CONSULT = "consult", "Consult"
    SUPPORT = "support", "Support"
    CONCEDE = "concede", "Concede"
    COOPERATE = "cooperate", "Cooperate"
    AID = "aid", "Aid"
    RETREAT = "retreat", "Retreat"
    REQUEST = "request", "Request"
    ACCUSE = "accuse", "Accuse"
    REJECT = "reject", "Reject"
    THREATEN = "threaten", "Threaten"
    PROTEST = "protest", "Protest"
    SANCTION = "sanction", "Sanction"
    MOBILIZE = "mobilize", "Mobilize"
    COERCE = "coerce", "Coerce"
    ASSAULT = "assault", "Assault"
    # ... and three the documents need that PLOVER leaves out.
    APPOINTMENT = "appointment", "Appointment"
    ELECTION = "election", "Election"
    STATEMENT = "statement", "Statement"


class ParticipantRole(models.TextChoices):
    INITIATOR = "initiator", "Initiator"
    TARGET = "target", "Target"
    PARTICIPANT = "participant", "Participant"
    MEDIATOR = "mediator", "Mediator"
    SPONSOR = "sponsor", "Sponsor"
    CLAIMED_RESPONSIBILITY = "claimed_responsibility", "Claimed responsibility"
    ACCUSED = "accused", "Accused"


class ClaimKind(models.TextChoices):
    FACTUAL = "factual", "Factual"
    CAUSAL = "causal", "Causal"
    INTERPRETIVE = "interpretive", "Interpretive"
    INTENT = "intent", "Intent"
    PREDICTIVE = "predictive", "Predictive"
    EVALUATIVE = "evaluative", "Evaluative"


class Modality(models.TextChoices):
    ASSERTS = "asserts", "Asserts"
    REPORTS = "reports", "Reports someone's statement"
    SPECULATES = "speculates", "Speculates"
    PREDICTS = "predicts", "Predicts"
    DENIES = "denies", "Denies"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class LocatorType(models.TextChoices):
    PAGE = "page", "Page"
    SECTION = "section", "Section"
    PARAGRAPH = "paragraph", "Paragraph"
    FOOTNOTE = "footnote", "Footnote"


class ClaimRelationType(models.TextChoices):
    CORROBORATES = "corroborates", "Corroborates"
    CONTRADICTS = "contradicts", "Contradicts"
    ELABORATES = "elaborates", "Elaborates"


class ThemeKind(models.TextChoices):
    CHALLENGE = "challenge", "Challenge"
    OPPORTUNITY = "opportunity", "Opportunity"
    RESPONSE = "response", "Response"
    OTHER = "other", "Other"


class Theory(models.TextChoices):
    STRUCTURAL_REALISM = "structural_realism", "Structural realism"


class Branch(models.TextChoices):
    GENERAL = "general", "General"
    DEFENSIVE = "defensive", "Defensive"
    OFFENSIVE = "offensive", "Offensive"


class AssumptionRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    ILLUSTRATES = "illustrates", "Illustrates"
    CHALLENGES = "challenges", "Challenges"
    QUALIFIES = "qualifies", "Qualifies"


class LinkAttribution(models.TextChoices):
    SOURCE = "source", "The source's own argument"
    CODER = "coder", "The coder's interpretation"
