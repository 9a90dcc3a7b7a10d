"""Block Kit limits that Slack enforces, checked the way Slack reports them.

Pure functions: each returns a list of messages in Slack's own ``response_metadata.messages``
style, ``"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``; an
empty list means Slack would accept the payload. Limits come from docs.slack.dev (reference/
block-kit/blocks, block-elements, composition-objects, views/modal-views, chat.postMessage).
Only the limits our app can plausibly hit are checked; unknown block and element types pass.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_ID = 255  # action_id, block_id, callback_id

# (block type, field) -> max characters of that text object's text
_SECTION_TEXT = 3000
_SECTION_FIELD = 2000
_SECTION_FIELDS = 10
_HEADER_TEXT = 150
_ACTIONS_ELEMENTS = 25
_CONTEXT_ELEMENTS = 10
_INPUT_LABEL = 2000
_INPUT_HINT = 2000
_MARKDOWN_TEXT = 12_000
_BUTTON_TEXT = 75
_BUTTON_VALUE = 2000
_BUTTON_URL = 3000
_PLACEHOLDER = 150
_INPUT_LENGTH = 3000  # plain_text_input min_length / max_length / initial_value
_OPTIONS = 100
_OPTION_TEXT = 75
_OPTION_VALUE = 150
_MODAL_TEXT = 24  # title, close, submit
_PRIVATE_METADATA = 3000

_KNOWN_BLOCKS = {
    "actions", "context", "divider", "file", "header", "image", "input", "markdown",
    "rich_text", "section", "video", "context_actions", "table",
}


def _err(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _too_long(value: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [_err(f"must be less than {limit + 1} characters", pointer)]
    return []


def _text_object(obj: Any, limit: int, pointer: str, *, plain_only: bool = False) -> list[str]:
    """Check a composition text object: right type, 1..limit characters."""
    if not isinstance(obj, dict):
        return [_err("must be an object", pointer)]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        return [_err(f"must be one of {', '.join(allowed)}", f"{pointer}/type")]
    text = obj.get("text")
    if not isinstance(text, str):
        return [_err("missing required field: text", pointer)]
    if not text:
        return [_err("must be more than 0 characters", f"{pointer}/text")]
    return _too_long(text, limit, f"{pointer}/text")


def _too_many(items: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [_err(f"no more than {limit} items allowed", pointer)]
    return []


def element_errors(element: Any, pointer: str) -> list[str]:
    """Check one block element (button, plain_text_input, select, ...)."""
    if not isinstance(element, dict):
        return [_err("must be an object", pointer)]
    errors = _too_long(element.get("action_id"), MAX_ID, f"{pointer}/action_id")
    kind = element.get("type")
    if "placeholder" in element:
        errors += _text_object(element["placeholder"], _PLACEHOLDER, f"{pointer}/placeholder",
                               plain_only=True)
    if kind == "button":
        errors += _text_object(element.get("text"), _BUTTON_TEXT, f"{pointer}/text",
                               plain_only=True)
        errors += _too_long(element.get("value"), _BUTTON_VALUE, f"{pointer}/value")
        errors += _too_long(element.get("url"), _BUTTON_URL, f"{pointer}/url")
        if "style" in element and element["style"] not in ("primary", "danger"):
            errors.append(_err("must be one of primary, danger", f"{pointer}/style"))
    elif kind == "plain_text_input":
        errors += _plain_text_input_errors(element, pointer)
    elif kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes",
                  "overflow"):
        options = element.get("options", [])
        errors += _too_many(options, _OPTIONS, f"{pointer}/options")
        for i, option in enumerate(options if isinstance(options, list) else []):
            at = f"{pointer}/options/{i}"
            if not isinstance(option, dict):
                errors.append(_err("must be an object", at))
                continue
            errors += _text_object(option.get("text"), _OPTION_TEXT, f"{at}/text")
            errors += _too_long(option.get("value"), _OPTION_VALUE, f"{at}/value")
    return errors


def _plain_text_input_errors(element: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    max_length = element.get("max_length", _INPUT_LENGTH)
    if not isinstance(max_length, int) or not 1 <= max_length <= _INPUT_LENGTH:
        errors.append(_err(f"must be between 1 and {_INPUT_LENGTH}", f"{pointer}/max_length"))
        max_length = _INPUT_LENGTH
    min_length = element.get("min_length", 0)
    if not isinstance(min_length, int) or not 0 <= min_length <= _INPUT_LENGTH:
        errors.append(_err(f"must be between 0 and {_INPUT_LENGTH}", f"{pointer}/min_length"))
    # Slack refuses an initial value the user could not have typed under max_length.
    errors += _too_long(element.get("initial_value"), max_length, f"{pointer}/initial_value")
    return errors


def block_errors(block: Any, pointer: str) -> list[str]:
    """Check one layout block and the elements inside it."""
    if not isinstance(block, dict):
        return [_err("must be an object", pointer)]
    kind = block.get("type")
    if kind not in _KNOWN_BLOCKS:
        return [_err(f"unsupported type: {kind}", f"{pointer}/type")]
    errors = _too_long(block.get("block_id"), MAX_ID, f"{pointer}/block_id")
    if kind == "section":
        errors += _section_errors(block, pointer)
    elif kind == "header":
        errors += _text_object(block.get("text"), _HEADER_TEXT, f"{pointer}/text",
                               plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append(_err("must provide at least 1 item", f"{pointer}/elements"))
            elements = []
        errors += _too_many(elements, _ACTIONS_ELEMENTS, f"{pointer}/elements")
        for i, element in enumerate(elements):
            errors += element_errors(element, f"{pointer}/elements/{i}")
    elif kind == "context":
        errors += _too_many(block.get("elements"), _CONTEXT_ELEMENTS, f"{pointer}/elements")
    elif kind == "input":
        errors += _text_object(block.get("label"), _INPUT_LABEL, f"{pointer}/label",
                               plain_only=True)
        if "hint" in block:
            errors += _text_object(block["hint"], _INPUT_HINT, f"{pointer}/hint",
                                   plain_only=True)
        errors += element_errors(block.get("element"), f"{pointer}/element")
    elif kind == "markdown":
        errors += _too_long(block.get("text"), _MARKDOWN_TEXT, f"{pointer}/text")
    return errors


def _section_errors(block: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    if "text" not in block and "fields" not in block:
        errors.append(_err("must provide either text or fields", pointer))
    if "text" in block:
        errors += _text_object(block["text"], _SECTION_TEXT, f"{pointer}/text")
    fields = block.get("fields")
    if fields is not None:
        errors += _too_many(fields, _SECTION_FIELDS, f"{pointer}/fields")
        for i, field in enumerate(fields if isinstance(fields, list) else []):
            errors += _text_object(field, _SECTION_FIELD, f"{pointer}/fields/{i}")
    if "accessory" in block:
        errors += element_errors(block["accessory"], f"{pointer}/accessory")
    return errors


def blocks_errors(blocks: Any, limit: int, pointer: str) -> list[str]:
    """Check a ``blocks`` array: at most ``limit`` blocks, each one valid."""
    if not isinstance(blocks, list):
        return [_err("must be an array", pointer)]
    errors = _too_many(blocks, limit, pointer)
    for i, block in enumerate(blocks):
        errors += block_errors(block, f"{pointer}/{i}")
    return errors


def message_blocks_errors(blocks: Any) -> list[str]:
    """Check the ``blocks`` of a chat.postMessage / chat.update / chat.postEphemeral call."""
    return blocks_errors(blocks, MAX_MESSAGE_BLOCKS, "/blocks")


def view_errors(view: Any) -> list[str]:
    """Check a ``view`` for views.open / views.update / views.publish (modal or home)."""
    if not isinstance(view, dict):
        return [_err("must be an object", "/view")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [_err("must be one of modal, home", "/view/type")]
    errors = blocks_errors(view.get("blocks"), MAX_VIEW_BLOCKS, "/view/blocks")
    errors += _too_long(view.get("callback_id"), MAX_ID, "/view/callback_id")
    errors += _too_long(view.get("private_metadata"), _PRIVATE_METADATA, "/view/private_metadata")
    if kind == "modal":
        errors += _text_object(view.get("title"), _MODAL_TEXT, "/view/title", plain_only=True)
        for name in ("close", "submit"):
            if name in view:
                errors += _text_object(view[name], _MODAL_TEXT, f"/view/{name}",
                                       plain_only=True)
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and "submit" not in view:
            errors.append(_err("submit is required when blocks contain an input", "/view"))
    return errors
