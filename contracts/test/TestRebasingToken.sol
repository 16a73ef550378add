// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title TestRebasingToken
/// @notice A hostile payment token for tests, like stETH: holders own shares, a balance is
/// `shares * index / 1e18`, and anyone may change the index (a rebase). A transfer moves
/// `amount * 1e18 / index` shares, rounded down, so the recipient may get less than `amount`.
/// Never deploy it where it would hold value.
contract TestRebasingToken is IERC20 {
    /// @notice Not enough balance or allowance.
    error TestRebasingTokenInsufficient(uint256 available, uint256 needed);

    uint256 private constant _ONE = 1e18;

    /// @notice Balance per share, 18 decimals.
    uint256 public index = _ONE;

    mapping(address account => uint256) private _shares;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    uint256 private _totalShares;

    /// @notice Mints `amount` (at the current index) to `to`.
    function mint(address to, uint256 amount) external {
        uint256 shares = amount * _ONE / index;
        _shares[to] += shares;
        _totalShares += shares;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Rebases every balance: a balance is now `shares * newIndex / 1e18`.
    function rebase(uint256 newIndex) external {
        index = newIndex;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalShares * index / _ONE;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) public view returns (uint256) {
        return _shares[account] * index / _ONE;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed < value) revert TestRebasingTokenInsufficient(allowed, value);
        _allowances[from][msg.sender] = allowed - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        uint256 shares = value * _ONE / index;
        uint256 held = _shares[from];
        if (held < shares) revert TestRebasingTokenInsufficient(balanceOf(from), value);
        _shares[from] = held - shares;
        _shares[to] += shares;
        emit Transfer(from, to, value);
    }
}
