"""Fixtures the backend tests share."""

from __future__ import annotations

import pytest

from modelmaker import ADD, Op, builtin, custom, flex_options, make_model


@pytest.fixture
def models(tmp_path) -> list[str]:
    """One model with a builtin and a Flex op (so both AARs are built), as the paths a build is given."""
    a = tmp_path / "m/a.tflite"
    a.parent.mkdir()
    a.write_bytes(make_model([builtin(ADD, 1), custom("FlexAddV2")],
                             [[Op(0), Op(1, custom_options=flex_options("AddV2"))]]))
    return [str(a)]
