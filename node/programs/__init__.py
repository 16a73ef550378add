"""A cooperative's target programs (целевые программы): purposes with their own balances that
members join by accepting the terms, contribute to, and leave with exactly their part; only a
council decision spends. See `docs/programs.md`."""

from node.programs.client import (
    Position,
    ProgramInfo,
    ProgramStatus,
    TargetPrograms,
    join_typed_data,
    part_of,
    program_circle,
    sign_join,
    units_for,
)
from node.programs.deploy import ProgramsDeployError, deploy_programs_installer, install_programs

__all__ = [
    "Position",
    "ProgramInfo",
    "ProgramStatus",
    "ProgramsDeployError",
    "TargetPrograms",
    "deploy_programs_installer",
    "install_programs",
    "join_typed_data",
    "part_of",
    "program_circle",
    "sign_join",
    "units_for",
]
