"""Turning a question into a safe, cited answer: ``pipeline`` (check, retrieve, generate,
post-check), ``generator`` (the offline and LLM generators and the fallback between them),
``offline`` (the extractive answerer), ``llm`` (the LangChain chain, with ``faults`` and
``watchdog``), ``chat_model`` (the one ChatOpenAI set-up) and ``types`` (the values passed around)."""
