// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "../../../contracts/interfaces/ICharter.sol";
import {ICooperativeFactory} from "../../../contracts/interfaces/ICooperativeFactory.sol";
import {ICouncil} from "../../../contracts/interfaces/ICouncil.sol";
import {IFundInstaller} from "../../../contracts/interfaces/IFundInstaller.sol";
import {IGeneralMeeting} from "../../../contracts/interfaces/IGeneralMeeting.sol";
import {IGovernanceInstaller} from "../../../contracts/interfaces/IGovernanceInstaller.sol";
import {IMeetingProxies} from "../../../contracts/interfaces/IMeetingProxies.sol";
import {IMembership} from "../../../contracts/interfaces/IMembership.sol";
import {IMutualAidFund} from "../../../contracts/interfaces/IMutualAidFund.sol";
import {INetworkRegistry} from "../../../contracts/interfaces/INetworkRegistry.sol";
import {ISettlementUnits} from "../../../contracts/interfaces/ISettlementUnits.sol";
import {IShares} from "../../../contracts/interfaces/IShares.sol";
import {ITreasury} from "../../../contracts/interfaces/ITreasury.sol";
import {Test} from "./Test.sol";

/// @dev The test token, as far as the fixture uses it.
interface ITestToken {
    function mint(address to, uint256 amount) external;
    function approve(address spender, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}

/// @title CoopFixture
/// @notice One cooperative as production deploys it: the six implementations and the factory
/// (`node/cooperative/deploy.py`), the cooperative created by `createCooperative`, governance
/// through the `GovernanceInstaller` and the mutual-aid fund through the `FundInstaller`, both
/// called by the founding executor, which then hands the decision executor role to the council
/// (`node/governance`). Handlers inherit it, so that the actions and the views share addresses.
abstract contract CoopFixture is Test {
    uint128 internal constant ENTRANCE_FEE = 10;
    uint128 internal constant MINIMUM_SHARE = 100;
    uint256 internal constant DEFAULT_CREDIT_LIMIT = 1_000;
    uint32 internal constant NOTICE_PERIOD = 1 days;

    address internal constant FOUNDER = address(0xF0);
    address internal constant CHAIR = address(0xC0);
    address internal constant CASHIER = address(0xCA);
    address internal constant SECRETARY = address(0x5E);

    ITestToken internal token;
    ICharter internal charter;
    IMembership internal membership;
    IShares internal shares;
    ITreasury internal treasury;
    ISettlementUnits internal units;
    ICouncil internal council;
    IGeneralMeeting internal meeting;
    IMeetingProxies internal proxies;
    IMutualAidFund internal fund;

    /// @dev The founding members (admitted before governance takes over); index 0.. .
    address[] internal members;
    address[] internal councilMembers;

    uint256 private _salt;

    /// @dev Deploys the network, the cooperative, governance and the fund; admits
    /// `memberCount` members and hands the executor role to the council.
    function _deployCooperative(uint256 memberCount) internal {
        // Deployed from forge's artifacts (`vm.deployCode`), so that no test contract carries
        // the contracts' creation code (it would exceed the size limits).
        token =
            ITestToken(vm.deployCode("TestToken.sol:TestToken", abi.encode("Test Ruble", "tRUB")));
        ICooperativeFactory factory = ICooperativeFactory(
            vm.deployCode(
                "CooperativeFactory.sol:CooperativeFactory",
                abi.encode(
                    ICooperativeFactory.Implementations({
                        charter: vm.deployCode("Charter.sol:Charter"),
                        membership: vm.deployCode("Membership.sol:Membership"),
                        shares: vm.deployCode("Shares.sol:Shares"),
                        treasury: vm.deployCode("Treasury.sol:Treasury"),
                        documents: vm.deployCode("DocumentRegistry.sol:DocumentRegistry"),
                        settlementUnits: vm.deployCode("SettlementUnits.sol:SettlementUnits")
                    })
                )
            )
        );
        councilMembers.push(address(0xA1));
        councilMembers.push(address(0xA2));
        councilMembers.push(address(0xA3));
        address[] memory cashiers = new address[](1);
        cashiers[0] = CASHIER;
        (, INetworkRegistry.CooperativeSet memory set) = factory.createCooperative(
            ICooperativeFactory.CooperativeParams({
                name: unicode"Кооператив",
                symbol: "COOP",
                kind: ICharter.CooperativeKind.Consumer,
                paymentToken: address(token),
                council: councilMembers,
                defaultCreditLimit: DEFAULT_CREDIT_LIMIT,
                charter: ICharter.Config({
                    chair: CHAIR,
                    decisionExecutor: FOUNDER,
                    charterDocument: keccak256("charter v1"),
                    individualFees: ICharter.Fees({
                        entranceFee: ENTRANCE_FEE, minimumShare: MINIMUM_SHARE
                    }),
                    organisationFees: ICharter.Fees({
                        entranceFee: ENTRANCE_FEE, minimumShare: MINIMUM_SHARE
                    }),
                    fundSplit: [uint16(2_500), 2_500, 2_500, 2_500],
                    cashiers: cashiers,
                    verifiers: new address[](0)
                })
            })
        );
        charter = ICharter(set.charter);
        membership = IMembership(set.membership);
        shares = IShares(set.shares);
        treasury = ITreasury(set.treasury);
        units = ISettlementUnits(set.settlementUnits);

        uint16[] memory quorum = new uint16[](1);
        quorum[0] = 5_000;
        IGovernanceInstaller governance = IGovernanceInstaller(
            vm.deployCode(
                "GovernanceInstaller.sol:GovernanceInstaller",
                abi.encode(
                    vm.deployCode("Council.sol:Council"),
                    vm.deployCode("GeneralMeeting.sol:GeneralMeeting"),
                    vm.deployCode("MeetingProxies.sol:MeetingProxies")
                )
            )
        );
        vm.prank(FOUNDER);
        (address council_, address meeting_) = governance.install(
            address(charter),
            IGovernanceInstaller.GovernanceConfig({
                councilMembers: councilMembers,
                itemExpiry: 7 days,
                noticePeriod: NOTICE_PERIOD,
                quorumSchedule: quorum
            })
        );
        council = ICouncil(council_);
        meeting = IGeneralMeeting(meeting_);
        proxies = IMeetingProxies(meeting.proxies());

        IFundInstaller funds = IFundInstaller(
            vm.deployCode(
                "FundInstaller.sol:FundInstaller",
                abi.encode(
                    vm.deployCode("MutualAidFund.sol:MutualAidFund"),
                    vm.deployCode("PropertyRegistry.sol:PropertyRegistry")
                )
            )
        );
        vm.prank(FOUNDER);
        (address fund_,) = funds.install(
            address(charter),
            IMutualAidFund.Rules({
                loanToContributionBps: 20_000,
                reserveBps: 1_000,
                interestBps: 500,
                maxTerm: 365 days,
                maxLoanPerMember: 1_000_000
            }),
            IFundInstaller.PropertyConfig({name: "Property", symbol: "PROP", baseURI: "ipfs://"})
        );
        fund = IMutualAidFund(fund_);
        // The fund is an obligation source too: members with open loans cannot leave.
        vm.prank(FOUNDER);
        membership.addObligationSource(address(fund));

        for (uint256 i; i < memberCount; ++i) {
            address account = address(uint160(0x1000 + i));
            _join(account, FOUNDER);
            members.push(account);
        }
        vm.prank(FOUNDER);
        charter.setDecisionExecutor(address(council));
    }

    /// @dev The full join flow: application, identity check by the chair, fees paid in tokens,
    /// admission by `executor`.
    function _join(address account, address executor) internal {
        vm.prank(account);
        membership.applyToJoin(
            ICharter.MemberKind.Individual,
            keccak256(abi.encode("identity", account)),
            keccak256(abi.encode("application", account, ++_salt))
        );
        vm.prank(CHAIR);
        membership.attestIdentity(account, keccak256(abi.encode("check", account, _salt)));
        _fundAccount(account, ENTRANCE_FEE + MINIMUM_SHARE);
        vm.prank(account);
        membership.payFees(account);
        vm.prank(executor);
        membership.admit(account, keccak256(abi.encode("admit", account, _salt)));
    }

    /// @dev Mints `amount` to `account` and approves the treasury and the fund to pull it.
    function _fundAccount(address account, uint256 amount) internal {
        token.mint(account, amount);
        vm.startPrank(account);
        token.approve(address(treasury), type(uint256).max);
        if (address(fund) != address(0)) token.approve(address(fund), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev `x` mapped into [min, max] (inclusive).
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + x % (max - min + 1);
    }

    function _member(uint256 seed) internal view returns (address) {
        return members[seed % members.length];
    }
}
