from __future__ import annotations

from izd import embedded


def test_an_emptied_handle_list_of_pgserver_is_repaired(tmp_path):
    # A process killed while pgserver rewrites the list leaves it empty; starting must still work.
    path = tmp_path / ".handle_pids.json"
    path.write_text("")
    embedded._repair_handle_list(path)
    assert path.read_text() == "[]"
    path.write_text("[12, 34]")
    embedded._repair_handle_list(path)
    assert path.read_text() == "[12, 34]"
    embedded._repair_handle_list(tmp_path / "missing.json")
    assert not (tmp_path / "missing.json").exists()
