"""Turning a question into a safe, cited answer: the LLM chain, the offline answerer and the
pipeline that runs retrieval, safety checks and one of the two."""
