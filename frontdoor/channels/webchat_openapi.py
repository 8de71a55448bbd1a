"""The OpenAPI 3 description of the web-chat API, served at /chat/api/openapi.json."""

from __future__ import annotations

from typing import Any

# What counts as "not blank", shared with the view that checks it.
VISIBLE = "[^\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f" \
          "\u3000\ufeff]"


def document(max_length: int) -> dict[str, Any]:
    error = {"$ref": "#/components/schemas/Error"}
    message_list = {"type": "object", "required": ["messages"], "properties": {
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}}

    said = {"type": "object", "required": ["status", "message"], "properties": {
        "status": {"type": "string"}, "message": {"type": "string"}}}

    def errors(*codes: int) -> dict[str, Any]:
        return {str(c): {"description": "Error", "content": {"application/json": {
            "schema": error}}} for c in codes}

    language = {"type": "object", "properties": {"language": {
        "type": "string", "enum": ["cy", "en"],
        "description": "Welsh (cy) or English (en); Welsh only where the council offers it."}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "frontdoor web chat", "version": "1.0.0",
                 "description": "Start a conversation, post messages, fetch new ones, "
                                "link a mobile phone with a texted code. Authenticate with the "
                                "conversation token as a bearer token."},
        "paths": {
            "/chat/api/conversations": {"post": {
                "summary": "Start a conversation", "operationId": "startConversation",
                "requestBody": {"required": False, "content": {"application/json": {
                    "schema": language}}},
                "responses": {"201": {"description": "Started", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Started"}}}},
                    **errors(400, 413, 429)}}},
            "/chat/api/language": {"post": {
                "summary": "Answer this conversation in Welsh or English, where the council "
                           "offers both", "operationId": "chooseLanguage",
                "security": [{"conversationToken": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": language}}},
                "responses": {"200": {"description": "Chosen", "content": {
                    "application/json": {"schema": language}}},
                    **errors(400, 401, 413, 429)}}},
            "/chat/api/messages": {
                "post": {
                    "summary": "Post a message", "operationId": "postMessage",
                    "security": [{"conversationToken": []}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["text"], "properties": {
                            "text": {"type": "string", "minLength": 1,
                                     "maxLength": max_length, "pattern": VISIBLE,
                                     "description": "At least one character that is not "
                                                    "a space."},
                            "client_id": {
                                "type": "string", "minLength": 8, "maxLength": 64,
                                "pattern": "^[A-Za-z0-9_-]+$",
                                "description": "Chosen by the client, one per message: a "
                                               "message posted again with the same id is "
                                               "stored and answered once."}}}}}},
                    "responses": {"201": {"description": "Stored and answered", "content": {
                        "application/json": {"schema": message_list}}},
                        **errors(400, 401, 413, 429)}},
                "get": {
                    "summary": "Messages after a given id", "operationId": "getMessages",
                    "security": [{"conversationToken": []}],
                    "parameters": [{"name": "after", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 0,
                                               "maximum": 2**31 - 1}}],
                    "responses": {"200": {"description": "Messages", "content": {
                        "application/json": {"schema": message_list}}},
                        **errors(400, 401, 429)}},
            },
            "/chat/api/phone": {"post": {
                "summary": "Text a 6-digit code to the resident's mobile, to link it",
                "operationId": "requestPhoneCode",
                "description": "The same answer whether or not that number can be texted.",
                "security": [{"conversationToken": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["phone"], "properties": {
                        "phone": {"type": "string", "maxLength": 40}}}}}},
                "responses": {"202": {"description": "A code is on its way", "content": {
                    "application/json": {"schema": said}}}, **errors(400, 401, 413, 429)}}},
            "/chat/api/phone/code": {"post": {
                "summary": "Type the code back: links the phone and the chat",
                "operationId": "checkPhoneCode",
                "security": [{"conversationToken": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["code"], "properties": {
                        "code": {"type": "string", "maxLength": 20}}}}}},
                "responses": {"200": {"description": "Linked", "content": {
                    "application/json": {"schema": said}}},
                    **errors(400, 401, 413, 429)}}},
        },
        "components": {
            "securitySchemes": {"conversationToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Started": {"type": "object", "required": ["token"], "properties": {
                    "token": {"type": "string", "description": "256-bit conversation token"},
                    "poll_seconds": {"type": "integer"}}},
                "Message": {"type": "object", "required": ["id", "author", "text"],
                            "properties": {
                                "id": {"type": "integer"},
                                "author": {"type": "string",
                                           "enum": ["resident", "bot", "coordinator"]},
                                "from": {"type": "string"},
                                "text": {"type": "string"},
                                "sent_at": {"type": "string", "format": "date-time"}}},
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "required": ["code", "message"],
                              "properties": {"code": {"type": "string"},
                                             "message": {"type": "string"}}}}},
            },
        },
    }
