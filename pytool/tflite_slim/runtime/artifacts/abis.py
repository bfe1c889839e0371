"""The desktop ABIs a runtime can be built for, and which one this machine is.

Android ABIs are the plan's (:data:`tflite_slim.runtime.spec.plan.KNOWN_ABIS`); the desktop ones are
named ``<system>-<machine>`` (the classifier a host build is published under) and only the CMake
backend builds them.
"""

from __future__ import annotations

import platform
from typing import Optional


#: ``--target-archs`` names of the desktop builds, and the machine each is.
HOST_ABIS = {"linux-x86_64": "x86_64", "linux-aarch64": "aarch64"}


def host_abi(machine: Optional[str] = None, system: Optional[str] = None) -> str:
    """``--target-archs host`` on this machine: ``linux-x86_64`` or ``linux-aarch64``; else a ValueError."""
    machine = (machine or platform.machine()).lower()
    system = system or platform.system()
    aliases = {"amd64": "x86_64", "arm64": "aarch64"}
    machine = aliases.get(machine, machine)
    for abi, m in HOST_ABIS.items():
        if system == "Linux" and machine == m:
            return abi
    raise ValueError(f"this machine ({system} {machine}) is not one the CMake backend builds for "
                     f"({', '.join(HOST_ABIS)})")
