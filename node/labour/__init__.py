"""Labour and results: work records valued at decided rates, their approval, labour points,
and the distribution of a period's surplus by general-meeting decision (`LabourRegister`)."""

from node.labour.client import (
    DISTRIBUTE_TYPEHASH,
    Basis,
    Form,
    LabourRegister,
    Status,
    Terms,
    Unit,
    Use,
    compute_parts,
    deploy_installer,
    distribution_commitment,
    install_action,
    predict_register,
    recompute_from_chain,
    valuation,
)

__all__ = [
    "DISTRIBUTE_TYPEHASH",
    "Basis",
    "Form",
    "LabourRegister",
    "Status",
    "Terms",
    "Unit",
    "Use",
    "compute_parts",
    "deploy_installer",
    "distribution_commitment",
    "install_action",
    "predict_register",
    "recompute_from_chain",
    "valuation",
]
