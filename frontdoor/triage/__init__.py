"""Understanding a resident's message: safety, need, place, and what to do about it.

Plain values in, small dataclasses out: nothing here touches Flask or the database."""
