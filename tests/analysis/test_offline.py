from __future__ import annotations

import socket

import pytest

from analysis import AnalysisSettings, Annotator
from tests.analysis.conftest import item


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked by test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_network_is_really_blocked(no_network):
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("127.0.0.1", 9))


def test_load_and_annotate_offline(no_network, topics):
    annotator = Annotator.load(topics, AnalysisSettings())  # a fresh load, under the block
    ann = annotator.annotate(item("WHO sends vaccines to Kyrgyzstan", "Vaccination starts tomorrow in Bishkek."))
    assert "public_health" in ann.topics
    assert ann.countries == ["KG"]
    assert ann.evidence["public_health"]["embedding_score"] is not None
