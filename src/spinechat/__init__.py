"""spinechat: answers for patients with spinal hardware, from a folder of source documents."""

__version__ = "0.1.0"
