"""Every custom error of the contracts, in Russian, for the member who was refused.

The chain names a refusal by its custom error (`CouncilNotMember(0x…)`); a member reads why. The
English text is the error's NatSpec `@notice` from the compiled contracts (one source with the
interfaces); the Russian one is here. `tests/api/test_contract_errors.py` fails when a contract
gains an error without a Russian text, so a new error cannot reach a member untranslated.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

RU: dict[str, str] = {
    "BranchesZeroAddress": "Нужен ненулевой адрес",
    "BranchesInvalidNorm": "Норма представительства: не меньше одного пайщика на уполномоченного",
    "BranchesNotCouncil": "Это может сделать только совет (исполнитель решений)",
    "BranchesUnknownBranch": "Такого кооперативного участка нет",
    "BranchesNotTrustee": "Вы не уполномоченный участка, к которому относится пайщик",
    "BranchesNotConvener": "Собрание участка созывает совет или уполномоченный участка",
    "BranchesNotMember": "Это не пайщик кооператива",
    "BranchesAlreadyInBranch": "Пайщик уже относится к этому участку",
    "BranchesNotInBranch": "Пайщик не относится к этому участку",
    "BranchesNotBranchMeeting": "Делегатов избирает только собрание пайщиков своего участка",
    "BranchesActionNotAllowed": "Собрание участка может только избрать делегатов своего участка",
    "BranchesInvalidDelegation": "Число делегатов вне нормы представительства участка",
    "BranchesDuplicateDelegate": "Один пайщик назван делегатом дважды",
    "BranchesStillActive": "Пайщик ещё состоит в кооперативе",
    "CheckpointUnorderedInsertion": "Запись истории не по порядку блоков",
    # OpenZeppelin and libraries
    "AddressEmptyCode": "По адресу нет контракта",
    "CloneArgumentsTooLong": "Слишком длинные параметры клона",
    "CreateAddressNonceTooLarge": "Слишком большой счётчик развёртываний",
    "ERC20InsufficientAllowance": "Недостаточно разрешения на списание токенов",
    "ERC20InsufficientBalance": "Недостаточно токенов на счёте",
    "ERC20InvalidApprover": "Неверный адрес владельца разрешения",
    "ERC20InvalidReceiver": "Неверный адрес получателя токенов",
    "ERC20InvalidSender": "Неверный адрес отправителя токенов",
    "ERC20InvalidSpender": "Неверный адрес получателя разрешения",
    "FailedCall": "Вызов не удался",
    "FailedDeployment": "Развёртывание не удалось",
    "InsufficientBalance": "Недостаточно средств",
    "InvalidInitialization": "Контракт уже инициализирован",
    "InvalidShortString": "Неверная короткая строка",
    "NotInitializing": "Контракт не в режиме инициализации",
    "OwnableInvalidOwner": "Неверный владелец",
    "OwnableUnauthorizedAccount": "Действие доступно только владельцу",
    "SafeCastOverflowedUintDowncast": "Число не помещается в отведённый размер",
    "SafeERC20FailedOperation": "Операция с токеном не удалась",
    "StringTooLong": "Слишком длинная строка",
    "StringsInsufficientHexLength": "Недостаточная длина шестнадцатеричной строки",
    "PackedHistoryUnorderedPush": "Запись истории с блоком раньше последнего",
    "Multicall3CallFailed": "Один из пакетных вызовов не удался",
    # LabourRegister, LabourInstaller
    "LabourInstallerNotDecisionExecutor": "Устанавливать реестр труда может только исполнитель "
    "решений",
    "LabourInstallerZeroAddress": "Нулевой адрес реализации или устава",
    "LabourRegisterAmountTooLarge": "Слишком большая сумма для реестра труда",
    "LabourRegisterDecisionMismatch": "Вопрос собрания не совпадает с этим распределением",
    "LabourRegisterDecisionUsed": "Это решение собрания уже использовано",
    "LabourRegisterDistributionComplete": "Распределение уже начислено всем участникам",
    "LabourRegisterFundingNotExpected": "Распределение уже обеспечено или выплачивается не "
    "деньгами",
    "LabourRegisterInactiveRate": "Нет такой расценки или по ней больше не принимают работу",
    "LabourRegisterInsufficientFunds": "В реестре недостаточно денег для выплаты",
    "LabourRegisterInvalidLists": "Списки пусты или разной длины",
    "LabourRegisterNoGeneralMeeting": "У кооператива нет общего собрания",
    "LabourRegisterNotActiveMember": "Адрес не является действующим пайщиком",
    "LabourRegisterNotApprover": "Утверждать работу может только назначенный советом "
    "приёмщик или совет",
    "LabourRegisterNotDecisionExecutor": "Действие доступно только по решению совета",
    "LabourRegisterNotFunded": "Выплата по распределению ещё не обеспечена деньгами",
    "LabourRegisterNotMeetingDecision": "Вопрос не принят проведённым собранием с подписанным "
    "протоколом",
    "LabourRegisterNothingToClaim": "Нечего получать",
    "LabourRegisterNothingToDistribute": "За этот период нет учтённого участия",
    "LabourRegisterPeriodClosed": "Период закрыт: распределение за него уже утверждено",
    "LabourRegisterSelfApproval": "Нельзя утверждать собственную работу",
    "LabourRegisterUnexpectedStatus": "Запись о работе в другом состоянии",
    "LabourRegisterUnknownDistribution": "Нет такого распределения",
    "LabourRegisterUnknownRecord": "Нет такой записи о работе",
    "LabourRegisterZeroAddress": "Нулевой адрес",
    "LabourRegisterZeroAmount": "Нулевое количество или сумма",
    "LabourRegisterZeroHash": "Не указан хеш документа",
    # BankSettlements
    "BankSettlementsAlreadyClosed": "Эта задолженность уже закрыта другой строкой выписки",
    "BankSettlementsEmptyBatch": "Пустой пакет платежей",
    "BankSettlementsLineRecorded": "Эта строка выписки уже записана",
    "BankSettlementsNotCashier": "Подтверждать платежи может только кассир кооператива",
    "BankSettlementsWrongFees": "Платёж по заявлению не равен причитающимся взносам",
    "BankSettlementsZeroAmount": "Сумма равна нулю",
    "BankSettlementsZeroValue": "Нужен ненулевой хеш или адрес",
    # Passkey accounts and meeting proxies
    "CharterInvalidProxyCap": (
        "Предел доверенностей на одного представителя должен быть от 1 до 100"
    ),
    "GeneralMeetingNotProxies": (
        "Голосовать по доверенности можно только через контракт доверенностей кооператива"
    ),
    "MeetingProxiesZeroAddress": "Не указан обязательный адрес",
    "MeetingProxiesZeroHash": "У доверенности нет хеша документа",
    "MeetingProxiesMeetingNotOpen": "Собрание не существует или уже не принимает голоса",
    "MeetingProxiesNotVoter": "Этот адрес не является действующим пайщиком в реестре собрания",
    "MeetingProxiesSelfProxy": "Нельзя выдать доверенность самому себе",
    "MeetingProxiesInvalidExpiry": "Срок действия доверенности уже истёк",
    "MeetingProxiesAlreadyGiven": "У пайщика уже есть действующая доверенность на это собрание",
    "MeetingProxiesAlreadyVoted": (
        "Пайщик уже проголосовал на этом собрании (сам или по доверенности)"
    ),
    "MeetingProxiesCapReached": (
        "Представитель уже представляет предельное по уставу число пайщиков"
    ),
    "MeetingProxiesNoProxy": (
        "У представителя нет действующей доверенности этого пайщика на это собрание"
    ),
    "MeetingProxiesExpired": "Срок действия доверенности истёк",
    "MeetingProxiesPrincipalLeft": (
        "Доверитель больше не является действующим пайщиком: голосовать за него нельзя"
    ),
    "MeetingProxiesNotPrincipal": "Выдать или отозвать доверенность может только сам доверитель",
    "MeetingProxiesInvalidSignature": "Подпись не принадлежит доверителю",
    "PasskeyAccountOnlySelf": (
        "Это действие доступно только самому счёту (подписанное его ключом доступа)"
    ),
    "PasskeyAccountAlreadyInitialized": "Счёт с ключом доступа уже создан",
    "PasskeyAccountInvalidPublicKey": "Открытый ключ не лежит на кривой P-256",
    "PasskeyAccountPasskeyExists": "Этот ключ доступа уже добавлен к счёту",
    "PasskeyAccountUnknownPasskey": "Этот ключ доступа не принадлежит счёту",
    "PasskeyAccountLastPasskey": (
        "Последний ключ доступа удалить нельзя: без него действовать сможет только совет "
        "через восстановление ключа"
    ),
    "PasskeyAccountInvalidSignature": (
        "Подпись не является действительным подтверждением ключа доступа этого счёта"
    ),
    "PasskeyAccountInvalidNonce": (
        "Неверный порядковый номер действия (уже использован или не по порядку)"
    ),
    "PasskeyAccountExpired": "Срок подписанного действия истёк",
    "PasskeyAccountFactoryInvalidPublicKey": "Открытый ключ не лежит на кривой P-256",
    # Charter
    "CharterAuditorUnchanged": "Ревизор уже назначен (или уже снят)",
    "CharterInvalidFundSplit": "Доли фондов в сумме не дают 100%",
    "CharterNotAuditorAppointer": "Этот адрес не может назначать ревизоров",
    "CharterNotDecisionExecutor": "Менять устав может только исполнитель решений",
    "CharterUnknownRoles": "Указаны несуществующие роли",
    "CharterZeroAddress": "Нужен ненулевой адрес",
    "CharterZeroHash": "Нужен ненулевой хеш документа",
    # CooperativeFactory, NetworkRegistry, installers
    "CooperativeFactoryDuplicateCouncilMember": "Один человек назван в совете дважды",
    "CooperativeFactoryInvalidCouncil": "В совете должно быть от 3 до 64 членов",
    "CooperativeFactoryInvalidName": "Пустое или слишком длинное название либо символ",
    "CooperativeFactoryUnexpectedAddress": "Клон развёрнут не по ожидаемому адресу",
    "CooperativeFactoryZeroAddress": "Нужен ненулевой адрес",
    "NetworkRegistryAlreadyRegistered": "Кооператив уже зарегистрирован в сети",
    "NetworkRegistryNotFactory": "Регистрировать кооперативы может только фабрика",
    "NetworkRegistryUnknownCooperative": "Нет кооператива с таким номером",
    "FundInstallerNotDecisionExecutor": "Устанавливать фонд может только исполнитель решений",
    "FundInstallerZeroAddress": "Нулевой адрес реализации или устава",
    "GovernanceInstallerNotDecisionExecutor": "Устанавливать органы управления может только "
    "исполнитель решений",
    "GovernanceInstallerZeroAddress": "Нулевой адрес реализации или устава",
    "MeetingDecisionRequired": "Это решает только общее собрание нужным большинством",
    # Council
    "CouncilActionReservedToMeeting": "Это решение относится к исключительной компетенции "
    "общего собрания: совет не может его вносить",
    "CouncilActionsNotOnAgenda": "Действия не совпадают с внесёнными в повестку",
    "CouncilAlreadyExecuted": "Решение совета уже исполнено",
    "CouncilAlreadyVoted": "Вы уже голосовали по этому вопросу",
    "CouncilDuplicateMember": "Член совета назван дважды",
    "CouncilExecutionInsideMeetingDecision": "Решение совета нельзя исполнять внутри решения "
    "общего собрания",
    "CouncilInvalidActions": "Списки адресов и данных вызовов разной длины",
    "CouncilInvalidExpiry": "Срок рассмотрения вопроса не может быть нулевым",
    "CouncilInvalidMajority": "Неизвестный вид большинства",
    "CouncilInvalidSize": "Недопустимый состав совета",
    "CouncilInvalidVoteType": "Голос может быть только «за», «против» или «воздержался»",
    "CouncilItemExpired": "Срок рассмотрения вопроса истёк (или он от прежнего состава совета)",
    "CouncilNotChair": "Протокол совета подписывает только председатель",
    "CouncilNotGeneralMeeting": "Это может сделать только общее собрание",
    "CouncilNotMember": "Вы не член действующего совета",
    "CouncilProtocolNotSigned": "Председатель ещё не подписал протокол",
    "CouncilUnexpectedState": "Вопрос совета не в том состоянии, которое нужно для действия",
    "CouncilUnknownItem": "Нет вопроса совета с таким номером",
    "CouncilZeroAddress": "Нужен ненулевой адрес",
    "CouncilZeroHash": "Нужен хеш документа решения или протокола",
    # DocumentRegistry
    "DocumentRegistryAlreadyAnchored": "Документ уже закреплён в реестре",
    "DocumentRegistryAlreadyReplaced": "У документа уже есть более новая редакция",
    "DocumentRegistryAlreadySigned": "Вы уже подписали этот документ",
    "DocumentRegistryInvalidSignature": "Подпись не принадлежит подписанту",
    "DocumentRegistryNoSuchSignature": "Нет подписи с таким номером",
    "DocumentRegistryNotAuthorized": "Закреплять документы могут только пайщики и должностные лица",
    "DocumentRegistryNotOfficer": "Решения совета, протоколы и устав закрепляют только "
    "должностные лица",
    "DocumentRegistryNotVersionAuthor": "Новую редакцию регистрирует автор документа или "
    "должностное лицо",
    "DocumentRegistryTypeMismatch": "Новая редакция должна быть того же вида, что и прежняя",
    "DocumentRegistryUnknownDocument": "Документ не закреплён в реестре",
    "DocumentRegistryZeroHash": "Хеш документа не может быть нулевым",
    # GeneralMeeting
    "GeneralMeetingActionNotAllowed": "Вопрос не может сам вызывать исполнение решений совета",
    "GeneralMeetingActionsNotOnAgenda": "Действия не совпадают с вынесенными на собрание",
    "GeneralMeetingAlreadyDemanded": "Вы уже присоединились к требованию о созыве",
    "GeneralMeetingAlreadyExecuted": "Решение по этому вопросу уже исполнено",
    "GeneralMeetingAlreadyVoted": "Этот пайщик уже проголосовал на собрании",
    "GeneralMeetingBatchLengthMismatch": "Число бюллетеней и подписей не совпадает",
    "GeneralMeetingCouncilStillDue": "У совета ещё есть время созвать собрание по требованию",
    "GeneralMeetingDemandSatisfied": "Собрание по этому требованию уже созвано",
    "GeneralMeetingDemandedMeetingTooLate": "Собрание по требованию должно открыться раньше",
    "GeneralMeetingInvalidActions": "Списки адресов и данных вызовов вопроса разной длины",
    "GeneralMeetingInvalidAgenda": "В повестке должно быть от 1 до 32 вопросов",
    "GeneralMeetingInvalidChoices": "В бюллетене нужен ровно один выбор по каждому вопросу",
    "GeneralMeetingInvalidDemandRules": "Недопустимые правила требования о созыве",
    "GeneralMeetingInvalidQuorumSchedule": "Недопустимый график кворума",
    "GeneralMeetingInvalidSchedule": "Голосование открывается раньше срока уведомления или "
    "закрывается не после открытия",
    "GeneralMeetingInvalidSignature": "Подпись бюллетеня не принадлежит голосующему",
    "GeneralMeetingInvalidSigningPeriod": "Срок подписания протокола — от 1 до 90 дней",
    "GeneralMeetingMajorityTooLow": "Для этого вопроса закон требует большего большинства",
    "GeneralMeetingNoPendingDemand": "Нет требования о созыве, набравшего нужную долю",
    "GeneralMeetingNotCouncil": "Созывать собрание может только совет",
    "GeneralMeetingNotDemander": "Созвать собрание может только участник требования",
    "GeneralMeetingNotMeetingDecision": "Это может сделать только решение общего собрания",
    "GeneralMeetingNotOpen": "Голосование сейчас не идёт",
    "GeneralMeetingNotSigner": "Вы не секретарь и не председательствующий собрания или уже "
    "подписали протокол",
    "GeneralMeetingNotVoter": "Вы не были пайщиком на дату созыва собрания",
    "GeneralMeetingProtocolMismatch": "Председатель подписывает тот же протокол, что и секретарь",
    "GeneralMeetingProtocolNotSigned": "Протокол ещё не подписан секретарём и председателем",
    "GeneralMeetingQuestionNotAccepted": "Решение по вопросу не принято",
    "GeneralMeetingSecretaryIsChair": "Секретарь и председательствующий — разные люди",
    "GeneralMeetingUnexpectedState": "Собрание не в том состоянии, которое нужно для действия",
    "GeneralMeetingUnknownMeeting": "Нет собрания с таким номером",
    "GeneralMeetingUnknownQuestion": "Нет вопроса с таким номером",
    "GeneralMeetingZeroAddress": "Нужен ненулевой адрес",
    "GeneralMeetingZeroHash": "У вопроса должен быть документ",
    # Membership
    "MembershipAccountInUse": "Новый адрес уже есть (или был) в реестре пайщиков",
    "MembershipAddressRecovered": "Членство этого адреса перенесено на другой адрес после "
    "утраты ключа",
    "MembershipDuplicateApplication": "У адреса уже есть заявление или членство",
    "MembershipFeesAlreadyPaid": "Взносы уже оплачены",
    "MembershipFeesUnpaid": "Вступительный и минимальный паевой взносы не оплачены",
    "MembershipIdentityAlreadyVerified": "Проверка личности уже подтверждена",
    "MembershipIdentityNotVerified": "Личность заявителя ещё не проверена",
    "MembershipInvalidNonce": "Заявление с использованным номером (повтор)",
    "MembershipInvalidSignature": "Подпись не принадлежит заявителю",
    "MembershipKindNotAllowed": "Кооператив не принимает пайщиков этого вида",
    "MembershipNotCashier": "Подтверждать оплату может только кассир",
    "MembershipNotDecisionExecutor": "Это может сделать только исполнитель решений (совет)",
    "MembershipNotVerifier": "Подтверждать проверку личности может председатель или "
    "уполномоченный участка",
    "MembershipObligationSourceExists": "Источник обязательств уже подключён",
    "MembershipOpenObligations": "У пайщика есть незакрытые обязательства: сначала их погасить",
    "MembershipSignatureExpired": "Срок подписанного заявления истёк",
    "MembershipUnknownObligationSource": "Источник обязательств не подключён",
    "MembershipWrongStatus": "Статус пайщика не позволяет это действие",
    "MembershipZeroAddress": "Нужен ненулевой адрес",
    "MembershipZeroHash": "Нужен хеш документа",
    # MutualAidFund
    "MutualAidFundAboveContributionCap": "Заём превышает допустимую кратность собственного взноса",
    "MutualAidFundAboveMemberCap": "Заём превышает предел на одного пайщика",
    "MutualAidFundAmountTooLarge": "Сумма слишком велика",
    "MutualAidFundBalanceLocked": "Часть средств заложена или обеспечивает займы",
    "MutualAidFundBelowReserve": "Заём уменьшит кассу фонда ниже резерва",
    "MutualAidFundDecisionMismatch": "Документ решения не соответствует операции",
    "MutualAidFundDecisionUsed": "Это решение собрания уже использовано",
    "MutualAidFundGuaranteesPending": "Не все поручители приняли поручительство",
    "MutualAidFundInsufficientCash": "В кассе фонда недостаточно денег",
    "MutualAidFundInvalidRequest": "Неверные условия заявки на заём",
    "MutualAidFundInvalidRules": "Недопустимые правила фонда",
    "MutualAidFundNoGeneralMeeting": "У кооператива нет общего собрания для такого решения",
    "MutualAidFundNotActiveMember": "Адрес не действующий пайщик",
    "MutualAidFundNotAllowedPayer": "Погашать заём могут заёмщик и принявшие поручители",
    "MutualAidFundNotBorrower": "Вы не заёмщик по этому займу",
    "MutualAidFundNotDecisionExecutor": "Это может сделать только исполнитель решений (совет)",
    "MutualAidFundNotGuarantor": "Вы не поручитель по займу или уже приняли поручительство",
    "MutualAidFundNotMeetingDecision": "Нет принятого решения собрания с подписанным протоколом",
    "MutualAidFundNotMembership": "Это может сделать только реестр пайщиков",
    "MutualAidFundOverpayment": "Платёж больше остатка долга",
    "MutualAidFundRebindTargetInUse": "На новом адресе уже есть позиция в фонде",
    "MutualAidFundReentrantTransfer": "Повторный вход при переводе токенов",
    "MutualAidFundReviewDue": "Сначала нужен пересмотр просроченных займов",
    "MutualAidFundReviewIncomplete": "Пересмотр должен охватить все открытые займы",
    "MutualAidFundTermTooLong": "Срок займа больше допустимого правилами",
    "MutualAidFundTooManyLoans": "Слишком много одновременных займов",
    "MutualAidFundTooManyParties": "Исчерпаны номера участников фонда",
    "MutualAidFundTransferShortfall": "Токен перевёл меньше запрошенного",
    "MutualAidFundUnexpectedLoanState": "Заём не в том состоянии, которое нужно для действия",
    "MutualAidFundUnknownLoan": "Нет займа с таким номером",
    "MutualAidFundZeroAddress": "Нужен ненулевой адрес",
    "MutualAidFundZeroAmount": "Сумма равна нулю",
    "MutualAidFundZeroHash": "Нужен хеш документа",
    # PropertyRegistry
    "PropertyRegistryAlreadyEncumbered": "Имущество уже в залоге",
    "PropertyRegistryApprovalForbidden": "Передавать право распоряжения имуществом нельзя",
    "PropertyRegistryDecisionMismatch": "Документ решения не соответствует отчуждению",
    "PropertyRegistryDecisionUsed": "Это решение собрания уже использовано",
    "PropertyRegistryInvalidDisposal": "Не указан контрагент сделки",
    "PropertyRegistryNoGeneralMeeting": "У кооператива нет общего собрания для такого решения",
    "PropertyRegistryNotActiveMember": "Адрес не действующий пайщик",
    "PropertyRegistryNotDecisionExecutor": "Это может сделать только исполнитель решений (совет)",
    "PropertyRegistryNotEncumbered": "Имущество не в залоге",
    "PropertyRegistryNotMeetingDecision": "Нет принятого решения собрания с подписанным протоколом",
    "PropertyRegistryNotQualifiedMajority": "Отчуждение требует квалифицированного большинства",
    "PropertyRegistryTransferForbidden": "Имущество передаётся только по решению общего собрания",
    "PropertyRegistryUnknownAsset": "Нет имущества с таким номером",
    "PropertyRegistryZeroAddress": "Нужен ненулевой адрес",
    "PropertyRegistryZeroHash": "Нужен хеш документа",
    # SettlementUnits (ВРЕ)
    "SettlementUnitsAmountTooLarge": "Сумма слишком велика",
    "SettlementUnitsClearingEmpty": "План взаимозачёта пуст",
    "SettlementUnitsClearingUnbalanced": "План взаимозачёта не сбалансирован",
    "SettlementUnitsExceedsOutstanding": "Сумма больше остатка по обязательству",
    "SettlementUnitsInsufficientAllowance": "Недостаточно разрешения на перевод ВРЕ",
    "SettlementUnitsInsufficientAvailable": "Перевод выведет счёт за кредитный лимит",
    "SettlementUnitsInvalidSignature": "Подпись не принадлежит должнику",
    "SettlementUnitsKeysExhausted": "Исчерпаны номера участников ВРЕ",
    "SettlementUnitsLimitBelowDebt": "Долг пайщика больше устанавливаемого лимита",
    "SettlementUnitsLimitTooLarge": "Лимит слишком велик",
    "SettlementUnitsNotActiveMember": "Адрес не действующий пайщик",
    "SettlementUnitsNotCreditor": "Вы не кредитор по обязательству",
    "SettlementUnitsNotDebtor": "Вы не должник по обязательству",
    "SettlementUnitsRebindTargetInUse": "На новом адресе уже есть ВРЕ или обязательства",
    "SettlementUnitsSelfObligation": "Нельзя выставить счёт самому себе",
    "SettlementUnitsSignatureExpired": "Срок подписи истёк",
    "SettlementUnitsUnauthorized": "Нет права на это действие",
    "SettlementUnitsUnexpectedStatus": "Обязательство не в том статусе, который нужен",
    "SettlementUnitsZeroAddress": "Нужен ненулевой адрес",
    "SettlementUnitsZeroAmount": "Сумма должна быть больше нуля",
    # Shares
    "SharesInsufficientVoluntary": "Добровольных паевых взносов меньше, чем нужно перевести",
    "SharesNonTransferable": "Паи передаются только между пайщиками по решению",
    "SharesNotActiveMember": "Адрес не действующий пайщик",
    "SharesNotCashier": "Подтверждать оплату может только кассир",
    "SharesNotDecisionExecutor": "Это может сделать только исполнитель решений (совет)",
    "SharesNotMembership": "Это может сделать только реестр пайщиков",
    "SharesSameAccount": "Отправитель и получатель совпадают",
    "SharesZeroAmount": "Сумма равна нулю",
    "SharesZeroHash": "Нужен хеш документа",
    # Treasury
    "TreasuryDecisionAlreadyExecuted": "По этому решению деньги уже выплачены",
    "TreasuryDecisionNotSigned": "Документ решения не закреплён как решение совета или не "
    "подписан председателем",
    "TreasuryInsufficientFund": "В фонде недостаточно средств",
    "TreasuryNoUnion": "Кооператив не подавал заявления в союз",
    "TreasuryNotDecisionExecutor": "Это может сделать только исполнитель решений (совет)",
    "TreasuryNotModule": "Это может сделать только реестр пайщиков или паёв",
    "TreasuryReentrantTransfer": "Повторный вход при переводе токенов",
    "TreasuryTokenMismatch": "Союз принимает взносы в другом токене",
    "TreasuryTransferShortfall": "Токен перевёл меньше запрошенного",
    "TreasuryUnionFeesAboveApproved": "Союз просит больше, чем одобрено решением",
    "TreasuryUnionFeesMismatch": "Союз списал не ту сумму взносов",
    "TreasuryWrongUnion": "ВРЕ принадлежат другому союзу",
    "TreasuryZeroAddress": "Нужен ненулевой адрес",
    "TreasuryZeroAmount": "Сумма равна нулю",
    "TreasuryUnknownNamedFund": "Нет такого фонда",
    "TreasuryNamedSharesOver100": "Доли фондов в доходе превысили бы 100 %",
    "TreasuryInvalidSpendRule": "Неверное правило расходования фонда (большинство не выше 3/4; "
    "для решения совета — без большинства собрания)",
    "TreasuryInvalidFundName": "Название фонда пустое или длиннее 64 байт",
    "TreasuryTooManyNamedFunds": "У кооператива уже 32 именованных фонда",
    "TreasuryFundIndivisible": "Неделимый фонд остаётся неделимым",
    "TreasuryInsufficientNamedFund": "В фонде недостаточно средств",
    # TargetPrograms (целевые программы)
    "TargetProgramsZeroAddress": "Адрес не указан",
    "TargetProgramsNotDecisionExecutor": "Это делается только решением совета или собрания",
    "TargetProgramsNotMembership": "Вызов доступен только реестру членов",
    "TargetProgramsZeroHash": "Нужны цель программы и хеши документов",
    "TargetProgramsUnknownProgram": "Такой целевой программы нет",
    "TargetProgramsProgramClosed": "Программа закрыта: вступать и вносить взносы нельзя",
    "TargetProgramsNotActiveMember": "Только действующий пайщик может участвовать в программе",
    "TargetProgramsTermsMismatch": "Принятые условия не совпадают с условиями программы",
    "TargetProgramsAlreadyJoined": "Пайщик уже участвует в программе",
    "TargetProgramsNotJoined": "Пайщик не участвует в программе",
    "TargetProgramsZeroAmount": "Сумма равна нулю или слишком мала",
    "TargetProgramsAmountTooLarge": "Сумма слишком велика",
    "TargetProgramsInsufficientBalance": "На балансе программы недостаточно средств",
    "TargetProgramsInvalidSignature": "Подпись под условиями программы неверна",
    "TargetProgramsSignatureExpired": "Срок подписанного согласия истёк",
    "TargetProgramsStillMember": "Пайщик ещё в кооперативе: свою долю он забирает сам",
    "TargetProgramsTransferShortfall": "Поступило меньше токенов, чем переведено",
    "TargetProgramsReentrantCall": "Повторный вход при переводе токенов",
    "TargetProgramsRebindTargetInUse": "У нового адреса уже есть участие в программах",
    "TargetProgramsInstallerZeroAddress": "Адрес не указан",
    "TargetProgramsInstallerNotDecisionExecutor": (
        "Устанавливать целевые программы может только исполнитель решений"
    ),
}


@cache
def _notices() -> dict[str, str]:
    """Each error's English `@notice`, from the compiled contracts (empty when not built)."""
    from node.chain.artifacts import Artifacts, ArtifactsError

    try:
        art = Artifacts(Path(__file__).resolve().parents[2] / ".build" / "__local__.json")
    except ArtifactsError:
        return {}
    out: dict[str, str] = {}
    for name in art.names():
        for sig, notes in (art.get(name).userdoc.get("errors") or {}).items():
            notice = (notes[0] if notes else {}).get("notice")
            if notice:
                out.setdefault(sig.split("(")[0], str(notice))
    return out


def explain(error: str) -> tuple[str | None, str | None]:
    """(Russian, English) reason of a custom error; None for an unknown one."""
    return RU.get(error), _notices().get(error)
