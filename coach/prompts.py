"""Versioned prompt files: `prompts/<name>@<version>.yaml`, loaded into typed objects.

The prompt id (`name@version`) travels with every answer and every logged turn.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from coach.errors import CoachError

_ID = re.compile(r"^[a-z][a-z0-9_-]*@v[0-9]+$")


class PromptError(CoachError):
    pass


class LeadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    text: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value

    @field_validator("text")
    @classmethod
    def _known_variables(cls, value: str) -> str:
        return only_variables(value, {"topic", "title", "section"})


class ExtractivePrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    description: str = ""
    lead_ins: list[LeadIn]
    refusal: str
    small_talk: str
    escalation: str
    # From v4: the reply to thanks, and what a conversation hears when a topic is used up.
    thanks: str = ""
    nothing_new: str = ""

    @field_validator("escalation")
    @classmethod
    def _title_only(cls, value: str) -> str:
        return only_variables(value, {"title"})

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def lead_in(self, question: str, topic: str, title: str, section: str = "") -> str:
        for rule in self.lead_ins:
            if "{section}" in rule.text and not section:
                continue  # a passage without a heading: the next rule that fits
            if re.search(rule.pattern, question, re.I):
                return rule.text.format(topic=topic, title=title, section=section)
        return f"From “{title}” [1]:"


class SensitiveCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str  # readable name, for reports
    opening: str  # acknowledgement, then where to go; shown before any quoted guidance
    sections: list[str]  # headings of the `getting-help` sections quoted, in this order

    @field_validator("sections")
    @classmethod
    def _some_sections(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one section of the guides on getting help")
        return value

    @field_validator("opening")
    @classmethod
    def _plain(cls, value: str) -> str:
        if "[" in value or "{" in value:
            raise ValueError("an opening cites nothing and fills in nothing")
        return " ".join(value.split())


class SafetyPrompt(BaseModel):
    """The wording of answers to sensitive messages (prompts/safety@v1.yaml)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    description: str = ""
    help_lead: str
    advice_lead: str
    uncertain: SensitiveCategory  # the classifier cannot tell which situation it is
    someone_else: SensitiveCategory  # the message is about a mentee, a friend, a report
    categories: dict[str, SensitiveCategory]

    @field_validator("help_lead")
    @classmethod
    def _help_title(cls, value: str) -> str:
        return only_variables(value, {"title"})

    @field_validator("advice_lead")
    @classmethod
    def _advice_vars(cls, value: str) -> str:
        return only_variables(value, {"title", "n"})

    @field_validator("categories")
    @classmethod
    def _every_category(cls, value: dict[str, SensitiveCategory]) -> dict[str, SensitiveCategory]:
        from coach.safety import SENSITIVE

        missing = set(SENSITIVE) - set(value)
        unknown = set(value) - set(SENSITIVE)
        if missing or unknown:
            raise ValueError(f"categories: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return value

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def wording(self, category: str, voice: str = "") -> SensitiveCategory:
        """The opening and sections for a category, in the voice the message calls for:
        "uncertain" and "someone_else" replace the opening and the sections (someone
        else's crisis keeps the crisis sections first)."""
        own = self.categories[category]
        if voice == "uncertain":
            return self.uncertain
        if voice == "someone_else":
            other = self.someone_else
            # Danger comes first; otherwise what a helper can say and do.
            first, then = (own, other) if category == "crisis" else (other, own)
            sections = list(dict.fromkeys(first.sections + then.sections))
            return SensitiveCategory(label=other.label, opening=other.opening, sections=sections)
        return own


class ChatPrompt(BaseModel):
    """A prompt for a chat model: a system and a user template over declared variables.

    Templates use `{name}` placeholders (`{{` and `}}` for literal braces). A placeholder
    that is not declared fails at load time; rendering without a declared variable, or
    with one that is not declared, fails at render time."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    description: str = ""
    variables: list[str]
    system: str
    user: str

    @model_validator(mode="after")
    def _placeholders_are_declared(self) -> ChatPrompt:
        used = placeholders(self.system) | placeholders(self.user)
        unknown = used - set(self.variables)
        if unknown:
            raise ValueError(
                f"unknown variable(s) {sorted(unknown)}; declared: {', '.join(self.variables)}"
            )
        unused = set(self.variables) - used
        if unused:
            raise ValueError(f"declared variable(s) {sorted(unused)} are never used")
        return self

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> tuple[str, str]:
        """The (system, user) messages with every variable filled in."""
        missing = set(self.variables) - set(values)
        unknown = set(values) - set(self.variables)
        if missing or unknown:
            raise PromptError(
                f"prompt {self.id}: missing variable(s) {sorted(missing)}, "
                f"unknown variable(s) {sorted(unknown)}"
            )
        return self.system.format(**values).strip(), self.user.format(**values).strip()


def only_variables(template: str, allowed: set[str]) -> str:
    """The template, if every placeholder in it is one of `allowed`."""
    unknown = placeholders(template) - allowed
    if unknown:
        raise ValueError(
            f"unknown variable(s) {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return template


def placeholders(template: str) -> set[str]:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:  # an unmatched brace
        raise ValueError(f"bad template: {exc}") from None
    bad = {f for f in fields if not f.isidentifier()}
    if bad:
        raise ValueError(f"placeholders must be plain names, not {sorted(bad)}")
    return fields


_P = TypeVar("_P", ExtractivePrompt, ChatPrompt, SafetyPrompt)


@lru_cache(maxsize=32)
def load_extractive(prompts_dir: Path, prompt_id: str) -> ExtractivePrompt:
    return _load(prompts_dir, prompt_id, ExtractivePrompt)


@lru_cache(maxsize=32)
def load_chat(prompts_dir: Path, prompt_id: str) -> ChatPrompt:
    return _load(prompts_dir, prompt_id, ChatPrompt)


@lru_cache(maxsize=8)
def load_safety(prompts_dir: Path, prompt_id: str) -> SafetyPrompt:
    return _load(prompts_dir, prompt_id, SafetyPrompt)


def _load(prompts_dir: Path, prompt_id: str, kind: type[_P]) -> _P:
    if not _ID.match(prompt_id):
        raise PromptError(f"prompt ids look like name@v1, not {prompt_id!r}")
    path = prompts_dir / f"{prompt_id}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in prompts_dir.glob("*@*.yaml"))
        raise PromptError(f"no prompt {prompt_id!r} in {prompts_dir}; known: {', '.join(known)}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        prompt = kind.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise PromptError(f"prompt {prompt_id} is invalid: {exc}") from exc
    if prompt.id != prompt_id:
        raise PromptError(f"{path.name} declares {prompt.id}, expected {prompt_id}")
    return prompt
