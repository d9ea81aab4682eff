"""Generate a large, realistic kms_import JSONL corpus for benchmarks.

    python bench/corpus.py --articles 50000 --branches 36 --override-rate 0.05 [--seed 1]
        [--out FILE]

Records come in import order — categories (parents first), the branch tree (HQ, provinces,
cities), products, articles ``KB-000001``…, then branch overrides — so everything a record
refers to is defined on an earlier line. The output depends only on the arguments: all
randomness comes from one ``random.Random(seed)`` and nothing iterates a set or a hash.

Bodies are Markdown that ``content.markdown.validate`` accepts: ``##`` sections with
CJK-only (so slug == heading) headings unique within an article, never a level-1 heading,
no raw HTML or ``<``, no brackets, no braces except the ``{{ branch.x }}`` placeholders
(for variables HQ defines). Standard library only, so it runs without Django.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

Record = dict[str, Any]

HOTLINE = "{{ branch.hotline }}"
ADDRESS = "{{ branch.address }}"
SERVICE_HOURS = "{{ branch.service_hours }}"
CHANNELS = ("agent", "counter", "bot", "app", "sms")

# --- taxonomy ---------------------------------------------------------------------------

# top-level path -> [(sub-path segment, name, [topics])]
CATEGORIES: dict[str, list[tuple[str, str, list[str]]]] = {
    "咨询": [
        ("服务渠道", "服务渠道", ["客服热线转人工", "柜面预约", "在线客服留言", "上门服务预约"]),
        (
            "电子服务",
            "电子服务",
            ["App实名认证", "电子保单下载", "电子发票开具", "App登录密码重置", "人脸识别验证"],
        ),
        ("服务规范", "坐席服务规范", ["来电身份核实", "客户信息保密", "老年客户服务", "来电转接"]),
    ],
    "查询": [
        (
            "保单",
            "保单查询",
            ["保单现金价值查询", "保单状态查询", "保单红利查询", "万能账户价值查询"],
        ),
        ("理赔进度", "理赔进度查询", ["理赔案件进度查询", "理赔款到账查询", "补充材料通知查询"]),
        ("缴费记录", "缴费记录查询", ["续期缴费记录查询", "扣款失败原因查询", "缴费证明开具"]),
    ],
    "报案": [
        ("意外", "意外报案", ["意外伤害报案", "交通事故报案", "意外骨折报案"]),
        ("疾病", "疾病报案", ["住院医疗报案", "重大疾病报案", "门诊医疗报案"]),
        ("身故", "身故报案", ["身故报案", "意外身故报案", "全残报案"]),
    ],
    "保全": [
        (
            "变更",
            "保全变更",
            [
                "投保人变更",
                "受益人变更",
                "联系方式变更",
                "银行账户变更",
                "证件信息变更",
                "职业类别变更",
                "保额减少",
            ],
        ),
        ("缴费", "续期缴费", ["续期保费缴纳", "缴费方式变更", "宽限期缴费", "保费自动垫交"]),
        ("退保", "退保", ["犹豫期退保", "正常退保", "万能账户部分领取", "退保金试算"]),
        ("复效与贷款", "复效与保单贷款", ["保单复效", "保单贷款", "保单贷款还款"]),
    ],
    "理赔": [
        (
            "医疗",
            "医疗理赔",
            ["住院医疗理赔", "门诊医疗理赔", "异地就医理赔", "医保结算后理赔", "小额快赔"],
        ),
        ("重疾", "重大疾病理赔", ["重大疾病保险金给付", "轻症疾病理赔", "保费豁免"]),
        ("身故", "身故理赔", ["身故保险金给付", "法定继承人领取保险金", "全残保险金给付"]),
    ],
    "回访": [
        ("新契约", "新契约回访", ["新契约电话回访", "回访信息核对", "回访失败处理"]),
        ("犹豫期", "犹豫期回访", ["犹豫期说明", "犹豫期内撤单"]),
        ("满期", "满期回访", ["满期金领取", "年金领取提醒", "生存金领取"]),
    ],
    "投诉": [
        ("处理规范", "投诉处理规范", ["投诉受理登记", "投诉处理时限", "投诉回复"]),
        ("监管转办", "监管转办投诉", ["监管转办件处理", "12378转办投诉"]),
        ("升级处理", "投诉升级处理", ["重大投诉上报", "群体性投诉处理"]),
    ],
    "产品": [
        ("寿险", "寿险", ["终身寿险保障责任", "定期寿险投保规则", "减额交清"]),
        ("健康险", "健康险", ["百万医疗险续保", "重疾险等待期", "健康告知"]),
        ("意外险", "意外险", ["意外险保障范围", "高风险职业投保", "意外医疗报销"]),
        ("年金险", "年金险", ["年金领取方式", "养老年金开始领取", "万能账户追加保费"]),
    ],
}

# One province a line: code, short name, capital (for addresses), telephone area code, then
# 3 possible sub-branches as CODE:place — a place ending in 市 gets a 中心支公司, one ending
# in 区 (districts of municipalities and 计划单列市) a 支公司.
PROVINCE_TABLE = """
BJ 北京 北京市 010 CY:朝阳区 HD:海淀区 DC:东城区
TJ 天津 天津市 022 HP:和平区 BH:滨海新区 NK:南开区
HE 河北 石家庄市 0311 SJZ:石家庄市 TS:唐山市 BD:保定市
SX 山西 太原市 0351 TY:太原市 DT:大同市 YC:运城市
NM 内蒙古 呼和浩特市 0471 HHHT:呼和浩特市 BT:包头市 EEDS:鄂尔多斯市
LN 辽宁 沈阳市 024 SY:沈阳市 AS:鞍山市 JZ:锦州市
JL 吉林 长春市 0431 CC:长春市 JL:吉林市 SP:四平市
HL 黑龙江 哈尔滨市 0451 HEB:哈尔滨市 QQHE:齐齐哈尔市 DQ:大庆市
SH 上海 上海市 021 PD:浦东新区 XH:徐汇区 JA:静安区
JS 江苏 南京市 025 NJ:南京市 SZ:苏州市 WX:无锡市
ZJ 浙江 杭州市 0571 HZ:杭州市 WZ:温州市 SX:绍兴市
AH 安徽 合肥市 0551 HF:合肥市 WH:芜湖市 AQ:安庆市
FJ 福建 福州市 0591 FZ:福州市 QZ:泉州市 ZZ:漳州市
JX 江西 南昌市 0791 NC:南昌市 GZ:赣州市 JJ:九江市
SD 山东 济南市 0531 JN:济南市 YT:烟台市 WF:潍坊市
HA 河南 郑州市 0371 ZZ:郑州市 LY:洛阳市 NY:南阳市
HB 湖北 武汉市 027 WH:武汉市 YC:宜昌市 XY:襄阳市
HN 湖南 长沙市 0731 CS:长沙市 ZZ:株洲市 HY:衡阳市
GD 广东 广州市 020 GZ:广州市 FS:佛山市 DG:东莞市
GX 广西 南宁市 0771 NN:南宁市 LZ:柳州市 GL:桂林市
HI 海南 海口市 0898 HK:海口市 SY:三亚市 DZ:儋州市
CQ 重庆 重庆市 023 YZ:渝中区 WZ:万州区 FL:涪陵区
SC 四川 成都市 028 CD:成都市 MY:绵阳市 NC:南充市
GZ 贵州 贵阳市 0851 GY:贵阳市 ZY:遵义市 LPS:六盘水市
YN 云南 昆明市 0871 KM:昆明市 QJ:曲靖市 DL:大理市
XZ 西藏 拉萨市 0891 LS:拉萨市 RKZ:日喀则市 LZ:林芝市
SN 陕西 西安市 029 XA:西安市 BJ:宝鸡市 XY:咸阳市
GS 甘肃 兰州市 0931 LZ:兰州市 TS:天水市 JQ:酒泉市
QH 青海 西宁市 0971 XN:西宁市 HD:海东市 GEM:格尔木市
NX 宁夏 银川市 0951 YC:银川市 SZS:石嘴山市 WZ:吴忠市
XJ 新疆 乌鲁木齐市 0991 WLMQ:乌鲁木齐市 CJ:昌吉市 KEL:库尔勒市
# 计划单列市 below: branches of their own, reporting to HQ
DL 大连 大连市 0411 GJZ:甘井子区 JZ:金州区 SHK:沙河口区
QD 青岛 青岛市 0532 SN:市南区 HD:黄岛区 JM:即墨区
NB 宁波 宁波市 0574 HS:海曙区 YZ:鄞州区 BL:北仑区
XM 厦门 厦门市 0592 SM:思明区 HL:湖里区 JM:集美区
SZ 深圳 深圳市 0755 FT:福田区 NS:南山区 LG:龙岗区
"""


def _provinces() -> list[tuple[str, str, str, str, list[tuple[str, str, str]]]]:
    rows = []
    for line in PROVINCE_TABLE.strip().splitlines():
        if line.startswith("#"):
            continue
        code, short, capital, area, *cities = line.split()
        places = [city.split(":") for city in cities]
        rows.append((code, short, capital, area, [(c, n[:-1], n[-1]) for c, n in places]))
    return rows


PROVINCES = _provinces()

PRODUCTS: list[tuple[str, str]] = [
    ("康宁福寿终身保险（2024版）", "life"),
    ("康宁安心定期保险（2022版）", "life"),
    ("康宁福禄两全保险（2019版）", "life"),
    ("康宁传家增额终身保险", "life"),
    ("康宁添利万能型终身保险", "life"),
    ("康宁安康重大疾病保险", "health"),
    ("康宁安康少儿重大疾病保险", "health"),
    ("康宁e保百万医疗保险", "health"),
    ("康宁惠民住院医疗保险", "health"),
    ("康宁防癌医疗保险", "health"),
    ("康宁长期护理保险", "health"),
    ("康宁团体补充医疗保险", "health"),
    ("康宁守护意外伤害保险", "accident"),
    ("康宁出行交通意外伤害保险", "accident"),
    ("康宁银龄意外伤害保险", "accident"),
    ("康宁学平意外伤害保险", "accident"),
    ("康宁金禧年金保险", "annuity"),
    ("康宁鑫享养老年金保险", "annuity"),
    ("康宁如意教育年金保险", "annuity"),
    ("康宁个人税收递延型养老年金保险", "annuity"),
]

HQ_VARIABLES = {
    "hotline": "955-88",
    "service_hours": "人工服务每日 8:00–21:00，自助语音服务全年 7×24 小时",
    "address": "北京市朝阳区东三环中路 88 号康宁人寿大厦 1 层客户服务中心",
}
SERVICE_HOURS_CHOICES = [
    "工作日 8:30–17:30",
    "工作日 8:30–18:00，周六 9:00–17:00",
    "工作日 9:00–17:00（法定节假日除外）",
    "工作日 8:00–17:30，周六 9:00–12:00",
    "每日 8:30–20:00",
]
ROADS = [
    "人民路", "解放路", "中山路", "建设大道", "新华路", "长江路", "和平大街", "胜利路",
    "文化路", "金融大街", "世纪大道", "迎宾路", "青年路", "朝阳路", "滨江大道", "五一路",
]  # fmt: skip
BUILDINGS = [
    "国际金融中心", "康宁人寿大厦", "财富广场", "环球贸易中心", "保险大厦", "世纪商务中心",
    "时代广场", "国贸大厦", "银泰中心", "万达广场写字楼",
]  # fmt: skip

# --- article vocabulary -----------------------------------------------------------------

GENERAL_SITUATIONS = [
    "客户年满65周岁", "客户为外籍人士", "客户行动不便", "客户不会使用智能手机",
    "银保渠道客户", "团体保单被保险人", "客户身在外地", "客户为未成年人",
    "客户证件已过期", "客户预留手机号已停用", "保单为纸质保单", "客户通过电话销售投保",
    "客户为港澳台居民", "客户听力障碍", "代理人已离职的孤儿单", "客户在国外",
    "客户为残障人士", "客户委托律师办理", "客户正在住院", "投保人与被保险人不是同一人",
    "客户为在校学生", "客户有多张保单", "客户身份证丢失", "客户已移居海外", "客户要求加急",
    "客户为现役军人",
]  # fmt: skip
SITUATIONS: dict[str, list[str]] = {
    "咨询": "热线长时间占线 客户首次来电 客户情绪激动 夜间非人工服务时段 客户使用方言".split(),
    "查询": "保单已失效 保单处于宽限期 客户忘记保单号 保单已质押贷款 代查家人保单".split(),
    "报案": "事故发生超过10日 在境外出险 被保险人仍在住院 出险时未报警 同一事故多次就诊".split(),
    "保全": "委托他人代办 保单已质押贷款 投保人已身故 保单处于宽限期 签名与投保时不一致".split(),
    "理赔": "发票原件丢失 医院不在定点名单 异地就医 已在其他公司报销 受益人为未成年人".split(),
    "回访": "客户拒绝回访 回访电话无人接听 客户表示未收到合同 客户对条款有异议".split(),
    "投诉": "客户要求立即答复 客户威胁向媒体反映 重复投诉 涉及销售误导".split(),
    "产品": "客户有既往病史 产品已停售 客户从事高风险职业 客户已超过投保年龄".split(),
}
CUSTOMERS = [
    "投保人", "被保险人", "受益人", "投保人本人", "个人客户", "团体客户", "银保渠道客户",
    "老年客户", "监护人",
]  # fmt: skip
CHANNEL_NAMES = [
    "康宁人寿App", "微信公众号", "柜面", "客服热线", "微信小程序", "上门服务", "官方网站",
]  # fmt: skip
TIMES = [
    "1个工作日", "2个工作日", "3个工作日", "5个工作日", "7个工作日", "10个工作日",
    "当日", "30日", "24小时",
]  # fmt: skip
DEPTS = [
    "总公司运营中心",
    "分公司客户服务部",
    "理赔中心",
    "保全中心",
    "消费者权益保护部",
    "客户服务中心",
]

MATERIALS: dict[str, list[str]] = {
    "common": [
        "申请人有效身份证件原件", "保险合同或电子保单号", "本人名下借记卡或银行账户信息",
        "保全业务申请书", "授权委托书", "受托人有效身份证件", "客户亲笔签名的申请书",
        "预留手机号码接收的短信验证码",
    ],
    "保全": [
        "新投保人有效身份证件", "原投保人同意变更的书面声明", "新旧银行账户信息",
        "关系证明，如户口簿、结婚证或出生医学证明", "单位出具的在职证明",
        "复效申请书及健康告知书", "保单贷款申请书", "还款凭证或转账回单", "监护人身份证件",
    ],
    "理赔": [
        "理赔申请书", "医疗费用发票原件", "费用明细清单", "出院小结或出院记录",
        "诊断证明书", "病理检查报告", "门诊病历", "意外事故证明", "交通事故责任认定书",
        "医学死亡证明书", "户籍注销证明", "火化证明", "受益人与被保险人的关系证明",
        "伤残鉴定报告", "医保结算单",
    ],
    "报案": [
        "出险经过说明", "就诊医院名称及住院号", "事故发生时间和地点", "报警回执",
        "被保险人身份证件", "现场照片",
    ],
    "查询": ["保单号或投保单号", "查询人有效身份证件", "查询授权书"],
    "咨询": ["客户姓名及证件号码", "保单号", "来电号码"],
    "回访": ["回访记录单", "保险合同签收回执", "投保书复印件"],
    "投诉": ["投诉登记表", "客户提供的书面材料", "销售过程录音录像", "监管转办单"],
    "产品": ["产品条款", "投保提示书", "健康告知书", "职业类别表"],
}  # fmt: skip
STEPS: dict[str, list[str]] = {
    "common": [
        "客户通过{channel}提交{topic}申请",
        "坐席或柜员核实客户身份，确认为{customer}本人或其授权人",
        "检查材料是否齐全，材料不全的一次性告知客户需补充的内容",
        "录入申请信息并上传影像资料",
        "系统自动审核，不符合自动审核规则的转{dept}人工审核",
        "审核通过后生成批单或处理结果",
        "通过短信或{channel}将办理结果通知客户",
        "需要退费或付款的，款项在{time}内转入客户指定账户",
    ],
    "理赔": [
        "拨打客服热线或通过{channel}报案，登记出险时间、地点和经过",
        "按理赔材料清单准备并提交材料",
        "理赔中心受理材料并进行审核",
        "必要时安排理赔调查，调查期间客户可通过{channel}查询进度",
        "作出理赔结论并通过短信通知受益人",
        "赔款在结论作出后{time}内支付至受益人账户",
    ],
    "投诉": [
        "受理客户投诉并登记投诉人信息、诉求和联系方式",
        "向客户说明处理时限，告知投诉编号",
        "将投诉转交{dept}调查核实",
        "在{time}内与客户联系，反馈处理意见",
        "客户对处理意见不满意的，告知可申请复核或向监管部门反映",
        "结案并归档投诉材料",
    ],
}
RULES = [
    "{topic}须由{customer}本人申请，委托他人办理的须提供授权委托书",
    "保单处于有效状态方可办理{topic}",
    "同一保单同一时间只能有一笔未完成的保全申请",
    "{topic}办理成功后即时生效，批单可在{channel}下载",
    "涉及资金领取的，款项只能转入投保人本人名下账户",
    "单笔金额超过5万元的，须进行电话回访确认",
    "客户年满70周岁的，办理时须有家属陪同或进行双录",
    "已质押贷款的保单须先还清贷款本息后再办理",
    "团体保单的{topic}由投保单位统一办理",
    "线上办理仅支持已完成实名认证的客户",
    "办理过程中涉及的个人信息仅用于本次业务，严禁外传",
]
NOTES = [
    "请提醒客户核对申请书上的姓名、证件号码和保单号，填写错误会导致退件",
    "材料须为原件或加盖医院公章的复印件，照片须清晰完整",
    "坐席不得承诺办理结果，应以系统审核结论为准",
    "客户要求加急的，可在系统中勾选加急标识，但不得承诺具体时效",
    "身份证件临近有效期的，请同时提醒客户办理证件信息更新",
    "如客户对处理结果有异议，可告知其申请复核，复核时限为{time}",
    "办理完成后请提醒客户保存好批单或回执",
    "遇到可疑来电或冒名办理，应立即终止业务并上报{dept}",
    "涉及反洗钱可疑交易的，按公司反洗钱制度处理",
    "老年客户办理业务时应放慢语速，必要时重复确认关键信息",
    "客户通过{channel}提交的申请，可在提交后{time}内撤回",
    "同一事项已在处理中的，不得重复受理",
]
FAQ_QUESTIONS = [
    "{topic}可以委托他人办理吗？",
    "{topic}需要本人到场吗？",
    "{topic}提交后可以撤销吗？",
    "{topic}的办理进度在哪里查看？",
    "材料不齐可以先受理{topic}吗？",
    "外地客户如何办理{topic}？",
    "{topic}收取手续费吗？",
    "为什么{topic}被退件？",
    "{topic}办理成功后会收到通知吗？",
    "节假日可以办理{topic}吗？",
]
FAQ_ANSWERS = [
    "可以。受托人须携带授权委托书及双方有效身份证件，到{channel}办理。",
    "通过{channel}办理的无需到场；需要核实签名的，须本人到柜面办理。",
    "审核完成前可以撤销，审核通过后无法撤销，需另行申请。",
    "客户可在{channel}的“我的服务”中查看进度，也可拨打客服热线查询。",
    "可以先登记受理，但须在{time}内补齐材料，逾期系统将自动退件。",
    "可通过{channel}线上办理，或到就近的分支机构柜面办理，全国通办。",
    "不收取任何费用。如有人以公司名义收取费用，请提醒客户提高警惕。",
    "常见原因是材料不清晰、签名不一致或信息填写错误，请按退件通知补正后重新提交。",
    "会。办理完成后系统会向预留手机号发送短信，请提醒客户留意。",
    "线上渠道全年可以提交，人工审核在工作日进行，节假日提交的顺延处理。",
]
SCOPE = [
    "本文适用于{customer}通过{channel}办理{topic}的情形。",
    "适用于个人业务渠道销售的有效保单，团体保单另见团险业务规则。",
    "本文说明{topic}的办理条件、所需材料和处理时效，供坐席及柜面人员使用。",
    "{product}及其附加险的{topic}按本文执行。",
    "各分支机构另有规定的，以当地公告为准。",
    "{situation}的，按本文“特殊情况”中的规定处理。",
]
EXCLUSIONS = [
    "保单已终止或已满期", "保单处于理赔处理中", "保单存在未结清的贷款", "涉及司法冻结的保单",
    "投保人与被保险人存在争议", "保单已进入减额交清状态",
]  # fmt: skip
TIMING = [
    "材料齐全的，{topic}一般在{time}内办结。",
    "线上提交的申请通常在{time}内完成审核，柜面受理的以受理回执上的日期为准。",
    "需要调查或转人工审核的，时效顺延，最长不超过30日。",
    "涉及退费的，款项在审核通过后{time}内到账，具体到账时间以银行处理为准。",
    "遇法定节假日顺延。",
    "客户在15:00以后提交的申请，从下一个工作日起计算时效。",
]
FEES = [
    "办理{topic}不收取任何手续费。",
    "工本费由公司承担，客户无需支付费用。",
    "涉及现金价值计算的，以申请受理日的保单现金价值为准。",
    "跨行转账产生的费用由公司承担。",
    "保单贷款按公司公布的贷款利率计息，利率每半年调整一次。",
]
SPECIAL_CASES = [
    ("委托办理", "受托人须提供经{customer}签字的授权委托书，以及双方的有效身份证件原件。"),
    ("客户身在外地", "可通过{channel}线上办理，或到当地任一分支机构柜面办理，全国通办。"),
    ("证件已过期", "须先办理证件信息更新，再申请{topic}，两项业务可一并提交。"),
    ("客户已身故", "由法定继承人或受益人办理，另需提供医学死亡证明书和关系证明。"),
    ("未成年人", "由监护人代为办理，须提供监护关系证明和监护人有效身份证件。"),
    ("无法亲笔签名", "可采用按手印并由两名见证人签字的方式，柜面须全程录音录像。"),
]
SCRIPTS = [
    "您好，这里是康宁人寿客户服务中心，请问有什么可以帮您？",
    "为保护您的信息安全，需要先核实一下您的身份，请提供投保人的姓名和证件号码。",
    "您办理的{topic}需要准备{material}，材料齐全后一般{time}内办好。",
    "您也可以通过{channel}自助办理，操作完成后会有短信通知您。",
    "非常理解您的心情，我已经为您登记，相关部门会在{time}内联系您。",
    "请问还有其他可以帮您的吗？感谢您的来电，祝您生活愉快。",
]
POLICIES = [
    "《中华人民共和国保险法》", "《人身保险业务基本服务规定》",
    "《保险消费投诉处理管理办法》", "《银行保险机构消费者权益保护管理办法》",
    "《人身保险公司保全服务管理办法》", "《保险销售行为管理办法》",
    "公司《个人业务保全操作规程》", "公司《理赔作业管理办法》",
    "公司《客户服务中心坐席服务规范》",
]  # fmt: skip
# Explanatory sentences that pad sections out to realistic lengths; 2-3 make a paragraph.
DETAILS = [
    "坐席在受理{topic}时，应先确认来电人与保单的关系，再根据客户诉求引导至相应渠道。",
    "为提升客户体验，公司已将{topic}纳入{channel}自助服务范围，客户可随时提交申请。",
    "审核人员会重点核对申请人的身份信息、签名及保单状态，任何一项不符均会导致退件。",
    "如客户反映多次办理未成功，坐席应查看历史工单，避免客户重复提交相同的材料。",
    "对于{situation}的情形，应在系统中备注具体情况，便于后续环节的处理人员了解背景。",
    "{dept}每月对{topic}的办理质量进行抽检，抽检结果纳入各机构的服务质量考核。",
    "客户提交的纸质材料由柜面扫描后统一寄送至{dept}归档，影像资料保存期限不少于十年。",
    "系统会在申请受理后自动向客户发送短信，内容包括受理编号和预计办结时间。",
    "如客户通过{channel}提交申请时遇到页面报错，可先清除缓存后重试，仍无法解决的转人工处理。",
    "涉及{product}的，还应结合相应产品条款中的具体约定进行判断，不能简单套用通用规则。",
    "客户对{topic}的规定存在疑问时，坐席应耐心解释，不得使用“这是公司规定”等生硬表述。",
    "为防范冒名办理风险，单日内同一客户在多个渠道发起相同申请的，系统会自动拦截并提示人工复核。",
    "若客户要求提供书面说明，可由柜面打印业务办理告知书，加盖业务专用章后交客户留存。",
    "办理过程中如需客户补充材料，应一次性告知全部需补充的内容，不得多次要求客户补件。",
    "{customer}在{time}内未补齐材料的，申请自动终止，客户可在材料齐全后重新提交。",
    "近期{topic}的咨询量有所上升，常见问题主要集中在材料准备和办理时效两个方面。",
    "对于行动不便的客户，可预约服务人员上门协助办理，上门服务不收取任何费用。",
    "通过{channel}办理的业务与柜面办理具有同等效力，客户无需再到柜面补办手续。",
    "客户对处理结果不满意的，应告知其可通过客服热线、官方网站或书面信函等方式反映。",
    "各分支机构应在营业场所显著位置公示{topic}的办理流程、所需材料和服务时限。",
    "坐席完成受理后，应在通话结束前向客户复述办理要点，并确认客户已经理解。",
    "如遇系统升级或网络故障导致无法受理，应记录客户联系方式，待系统恢复后主动回电。",
]
TIP_LEADS = ["温馨提示", "提示", "注意", "风险提示"]
TAGS_BY_TOP = {
    "咨询": ["服务渠道", "电子服务", "服务规范", "身份核实"],
    "查询": ["保单查询", "进度查询", "缴费", "现金价值"],
    "报案": ["报案", "出险", "时效"],
    "保全": ["保全", "变更", "续期", "退保", "保单贷款"],
    "理赔": ["理赔", "理赔材料", "医疗", "重疾", "身故"],
    "回访": ["回访", "犹豫期", "满期"],
    "投诉": ["投诉", "消保", "监管"],
    "产品": ["产品", "条款", "投保规则"],
}
GENERAL_TAGS = ["线上办理", "柜面", "时效", "老年客户", "反洗钱", "材料清单", "异地", "双录"]

TITLE_TEMPLATES = [
    "如何办理{topic}",
    "{topic}需要准备哪些材料",
    "{topic}多久能办好",
    "{topic}的办理流程是什么",
    "可以通过{channel}办理{topic}吗",
    "{topic}有哪些注意事项",
    "{product}如何办理{topic}",
    "{product}的{topic}有什么规定",
    "{topic}被退件怎么办",
    "{topic}可以委托他人办理吗",
    "{topic}收费吗",
    "{topic}的办理时效是多久",
    "{customer}如何申请{topic}",
    "通过{channel}办理{topic}怎么操作",
    "{topic}提交后如何查询进度",
    "{topic}需要本人到场吗",
    "{topic}需要满足什么条件",
    "{topic}的材料可以线上提交吗",
    "{topic}办理后多久生效",
    "{topic}可以加急办理吗",
    "{topic}失败的常见原因有哪些",
    "{topic}需要哪些人签字",
    "坐席如何受理{topic}",
    "柜面如何受理{topic}",
    "{topic}是否需要双录",
    "{topic}可以在异地办理吗",
    "{topic}的申请书如何填写",
    "{topic}办理后如何查看结果",
    "{customer}办理{topic}需要注意什么",
    "{topic}一年可以办理几次",
]
QUESTION_TEMPLATES = [
    "{topic}怎么办",
    "{topic}要带什么材料",
    "{topic}多久能好",
    "{topic}能通过{channel}办吗",
    "请问{topic}的流程是什么",
    "我想办{topic}",
    "{topic}需要本人去吗",
    "{topic}收不收费",
    "帮家人办{topic}可以吗",
    "{topic}办不了怎么回事",
    "{topic}在哪里办",
    "{topic}要多长时间",
    "{situation}还能办{topic}吗",
]
SUMMARY_TEMPLATES = [
    "{topic}可通过{channel}或柜面办理，材料齐全的一般{time}内办结。",
    "办理{topic}需提供{material}等材料，审核通过后以短信通知结果。",
    "{customer}可申请{topic}。{situation}的，请按特殊情况规定处理。",
    "本文说明{topic}的办理条件、材料和时效。线上申请约{time}内完成审核。",
    "{topic}须由{customer}本人或其授权人申请，可通过{channel}提交。",
]

HEADINGS = [
    "适用范围",
    "业务规则",
    "办理渠道",
    "办理材料",
    "办理流程",
    "办理时效",
    "费用说明",
    "特殊情况处理",
    "注意事项",
    "话术参考",
    "常见问题",
    "政策依据",
    "联系方式",
]
# How often a heading is picked (relative); the common ones dominate like in real articles.
# Paragraphs of DETAILS added to a section: log-normal (capped), so some articles run long.
DETAIL_MU, DETAIL_SIGMA, DETAIL_MAX = -0.4, 0.55, 2.5
MIN_BODY = 300
HEADING_WEIGHTS = [9, 4, 4, 9, 9, 6, 2, 3, 8, 2, 5, 2, 4]

OVERRIDE_REASONS = [
    "根据当地监管局通知调整",
    "当地医保数据直连试点",
    "柜面网点调整",
    "当地方言服务安排",
    "分公司运营集中作业试点",
    "当地银行代扣合作调整",
    "地方政府惠民保合作项目",
]
OVERRIDE_LINES = [
    "{branch}客户可前往当地柜面办理，地址：{address}。",
    "{branch}辖内客户请优先通过{channel}提交申请，柜面仅受理复杂业务。",
    "{branch}自2025年起试点线上全流程办理，无需再提交纸质材料。",
    "{branch}客户如有疑问，请拨打本地服务热线 {hotline}。",
    "{branch}柜面服务时间：{service_hours}。",
    "**{branch}特别提示**：当地医保结算单可由系统直接调取，客户无需自行提供。",
    "{branch}对70周岁以上客户提供预约上门服务，请提前{time}预约。",
    "{branch}暂不受理现金缴费，请引导客户使用银行转账或线上支付。",
]


# --- generation -------------------------------------------------------------------------


def _category_records() -> Iterator[Record]:
    for top, subs in CATEGORIES.items():
        yield {"type": "category", "path": top, "name": top}
        for segment, name, _topics in subs:
            yield {"type": "category", "path": f"{top}/{segment}", "name": name}


def _address(rng: random.Random, place: str) -> str:
    floor = rng.randint(1, 32)
    return f"{place}{rng.choice(ROADS)} {rng.randint(1, 399)} 号{rng.choice(BUILDINGS)} {floor} 层"


def _phone(rng: random.Random, area: str) -> str:
    digits = 7 if len(area) == 4 and rng.random() < 0.3 else 8
    first = rng.randint(2, 8)
    return f"{area}-{first}{rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"


def _branch_records(rng: random.Random, count: int) -> tuple[list[Record], list[str]]:
    """HQ, ``count`` provinces and 1–3 cities each; also the codes overrides may use."""
    records: list[Record] = [
        {
            "type": "branch",
            "code": "HQ",
            "name": "总公司",
            "parent": None,
            "variables": dict(HQ_VARIABLES),
        }
    ]
    provinces: list[Record] = []
    cities: list[Record] = []
    for index in range(count):
        if index < len(PROVINCES):
            code, short, capital, area, city_list = PROVINCES[index]
        else:  # beyond the real provinces: synthetic regions, still well-formed
            code, short, capital = f"R{index + 1:02d}", f"第{index + 1}区域", "某市"
            area, city_list = (
                f"0{rng.randint(300, 999)}",
                [("C1", "城东", "区"), ("C2", "城西", "区")],
            )
        provinces.append(
            {
                "type": "branch",
                "code": code,
                "name": f"{short}分公司",
                "parent": "HQ",
                "variables": {
                    "hotline": _phone(rng, area),
                    "service_hours": rng.choice(SERVICE_HOURS_CHOICES),
                    "address": _address(rng, capital),
                },
            }
        )
        for city_code, city, level in rng.sample(city_list, rng.randint(1, min(3, len(city_list)))):
            if level == "区":
                name, place = f"{city}区支公司", f"{capital}{city}区"
            else:
                name, place = f"{city}中心支公司", f"{city}市"
            cities.append(
                {
                    "type": "branch",
                    "code": f"{code}-{city_code}",
                    "name": name,
                    "parent": code,
                    "variables": {"address": _address(rng, place)},
                }
            )
    records += provinces + cities
    return records, [record["code"] for record in provinces + cities]


def _product_records(rng: random.Random) -> list[Record]:
    return [
        {
            "type": "product",
            "code": f"KN-P{number:03d}",
            "name": name,
            "line": line,
            "status": "discontinued" if rng.random() < 0.2 else "on_sale",
        }
        for number, (name, line) in enumerate(PRODUCTS, start=1)
    ]


class _ArticleWriter:
    """Builds articles; one instance per corpus so vocabularies are prepared once."""

    def __init__(self, rng: random.Random, products: list[Record]) -> None:
        self.rng = rng
        self.products = products
        # (path, top, sub-category name, topic) — weighted by topic, so big categories are big
        self.slots = [
            (f"{top}/{segment}", top, name, topic)
            for top, subs in CATEGORIES.items()
            for segment, name, topics in subs
            for topic in topics
        ]
        self.situations = {
            top: SITUATIONS[top] + GENERAL_SITUATIONS for top in CATEGORIES
        }  # per top-level category
        self.materials = {top: MATERIALS.get(top, []) + MATERIALS["common"] for top in CATEGORIES}
        self.steps = {top: STEPS.get(top, STEPS["common"]) for top in CATEGORIES}
        self.steps["报案"] = STEPS["理赔"]
        self.titles: set[str] = set()
        self.plain_titles = [t for t in TITLE_TEMPLATES if "{product}" not in t]
        self.section_makers = {
            "适用范围": self._scope,
            "业务规则": self._rules,
            "办理渠道": self._channels,
            "办理材料": self._materials,
            "办理流程": self._steps,
            "办理时效": self._timing,
            "费用说明": self._fees,
            "特殊情况处理": self._special,
            "注意事项": self._notes,
            "话术参考": self._script,
            "常见问题": self._faq,
            "政策依据": self._policies,
            "联系方式": self._contact,
        }

    # -- helpers --

    def _fill(self, template: str, ctx: dict[str, str]) -> str:
        return template.format_map(ctx)

    def _sentences(self, pool: Sequence[str], low: int, high: int, ctx: dict[str, str]) -> str:
        chosen = self.rng.sample(pool, self.rng.randint(low, min(high, len(pool))))
        return "".join(self._fill(s, ctx) for s in chosen)

    def _bullets(self, items: Sequence[str], ordered: bool = False) -> str:
        if ordered:
            return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))
        return "\n".join(f"- {item}" for item in items)

    # -- sections: each returns a list of Markdown blocks --

    def _scope(self, ctx: dict[str, str]) -> list[str]:
        blocks = [self._sentences(SCOPE, 2, 3, ctx)]
        if self.rng.random() < 0.4:
            blocks.append("以下情形不适用本文，请转人工处理：")
            blocks.append(self._bullets(self.rng.sample(EXCLUSIONS, self.rng.randint(2, 3))))
        return blocks

    def _rules(self, ctx: dict[str, str]) -> list[str]:
        rules = self.rng.sample(RULES, self.rng.randint(2, 5))
        blocks = [self._bullets([self._fill(rule, ctx) + "。" for rule in rules])]
        if self.rng.random() < 0.2:
            rows = self.rng.sample(CUSTOMERS, 3)
            table = ["| 申请人 | 是否可办理 | 另需材料 |", "| --- | --- | --- |"]
            table += [
                f"| {who} | {self.rng.choice(('可以', '可以', '不可以'))} | "
                f"{self.rng.choice(self.materials[ctx['top']])} |"
                for who in rows
            ]
            blocks.append("\n".join(table))
        return blocks

    def _channels(self, ctx: dict[str, str]) -> list[str]:
        names = self.rng.sample(CHANNEL_NAMES, self.rng.randint(2, 4))
        if self.rng.random() < 0.4:
            table = ["| 渠道 | 办理方式 | 受理时间 |", "| --- | --- | --- |"]
            for name in names:
                how = self.rng.choice(("在线提交", "人工受理", "预约办理", "自助办理"))
                when = self.rng.choice(("全天", "工作日 9:00–17:00", "人工服务时间内"))
                table.append(f"| {name} | {how} | {when} |")
            return ["可通过以下渠道办理：", "\n".join(table)]
        items = [
            f"**{name}**：" + self.rng.choice(("支持全流程线上办理", "可提交申请并上传材料照片",
                                                 "由工作人员协助办理", "仅受理咨询和预约"))
            for name in names
        ]  # fmt: skip
        return [self._bullets(items)]

    def _materials(self, ctx: dict[str, str]) -> list[str]:
        pool = self.materials[ctx["top"]]
        items = self.rng.sample(pool, self.rng.randint(3, min(6, len(pool))))
        items = [f"**{item}**" if self.rng.random() < 0.2 else item for item in items]
        blocks = [f"办理{ctx['topic']}需提供以下材料：", self._bullets(items)]
        if self.rng.random() < 0.25:
            blocks.append("### 委托他人办理时另需")
            blocks.append(self._bullets(["授权委托书", "受托人有效身份证件原件"]))
        elif self.rng.random() < 0.15:
            table = ["| 材料 | 份数 | 说明 |", "| --- | --- | --- |"]
            for item in self.rng.sample(pool, 3):
                note = self.rng.choice(("原件", "复印件加盖公章", "可提供电子版", "须本人签字"))
                table.append(f"| {item} | {self.rng.randint(1, 2)} | {note} |")
            blocks.append("\n".join(table))
        return blocks

    def _steps(self, ctx: dict[str, str]) -> list[str]:
        pool = self.steps[ctx["top"]]
        rest = sorted(self.rng.sample(range(1, len(pool)), self.rng.randint(2, 5)))
        steps = [pool[0], *(pool[n] for n in rest)]  # in order, always from the first step
        blocks = [self._bullets([self._fill(step, ctx) + "。" for step in steps], True)]
        if self.rng.random() < 0.3:
            tip = self.rng.choice(TIP_LEADS)
            blocks.append(f"> **{tip}**：" + self._fill(self.rng.choice(NOTES), ctx) + "。")
        return blocks

    def _timing(self, ctx: dict[str, str]) -> list[str]:
        blocks = [self._sentences(TIMING, 1, 3, ctx)]
        if self.rng.random() < 0.3:
            table = ["| 环节 | 时效 |", "| --- | --- |"]
            for step in ("受理", "审核", "结果通知"):
                table.append(f"| {step} | {self.rng.choice(TIMES)} |")
            blocks.append("\n".join(table))
        return blocks

    def _fees(self, ctx: dict[str, str]) -> list[str]:
        return [self._sentences(FEES, 1, 2, ctx)]

    def _special(self, ctx: dict[str, str]) -> list[str]:
        cases = self.rng.sample(SPECIAL_CASES, self.rng.randint(2, 3))
        if self.rng.random() < 0.5:
            blocks: list[str] = []
            for heading, text in cases:
                blocks += [f"### {heading}", self._fill(text, ctx)]
            return blocks
        return [
            self._bullets([f"**{heading}**：" + self._fill(text, ctx) for heading, text in cases])
        ]

    def _notes(self, ctx: dict[str, str]) -> list[str]:
        notes = self.rng.sample(NOTES, self.rng.randint(2, 5))
        blocks = [self._bullets([self._fill(note, ctx) + "。" for note in notes])]
        if self.rng.random() < 0.25:
            blocks.append(
                f"> {self.rng.choice(TIP_LEADS)}：" + self._fill(self.rng.choice(RULES), ctx) + "。"
            )
        return blocks

    def _script(self, ctx: dict[str, str]) -> list[str]:
        lines = self.rng.sample(SCRIPTS, self.rng.randint(2, 4))
        return ["坐席可参考以下话术：", "\n".join(f"> {self._fill(line, ctx)}" for line in lines)]

    def _faq(self, ctx: dict[str, str]) -> list[str]:
        blocks: list[str] = []
        for n in self.rng.sample(range(len(FAQ_QUESTIONS)), self.rng.randint(2, 3)):
            blocks += [f"### {self._fill(FAQ_QUESTIONS[n], ctx)}", self._fill(FAQ_ANSWERS[n], ctx)]
        return blocks

    def _policies(self, ctx: dict[str, str]) -> list[str]:
        return [self._bullets(self.rng.sample(POLICIES, self.rng.randint(2, 3)))]

    def _contact(self, ctx: dict[str, str]) -> list[str]:
        if ctx["placeholders"]:
            return [self._placeholder_sentence(ctx)]
        return ["如有疑问，请拨打全国统一客服热线 955-88，或通过康宁人寿App在线客服咨询。"]

    def _placeholder_sentence(self, ctx: dict[str, str]) -> str:
        which = ctx["placeholders"]
        hotline = f"如有疑问，请拨打服务热线 {HOTLINE}。"
        address = f"需要柜面办理的，请前往 {ADDRESS}。"
        return {"hotline": hotline, "address": address, "both": hotline + address}[which]

    # -- the article --

    def _title(self, top: str, ctx: dict[str, str]) -> str:
        templates = TITLE_TEMPLATES if ctx["has_product"] else self.plain_titles
        for _attempt in range(12):
            core = self._fill(self.rng.choice(templates), ctx)
            if self.rng.random() < 0.55:
                core = f"{self.rng.choice(self.situations[top])}，{core}"
            title = core + "？"
            if title not in self.titles:
                break
            ctx["channel"] = self.rng.choice(CHANNEL_NAMES)
            ctx["customer"] = self.rng.choice(CUSTOMERS)
        self.titles.add(title)
        return title

    def article(self, number: int) -> Record:
        rng = self.rng
        path, top, sub_name, topic = rng.choice(self.slots)
        wants_product = top in ("产品", "理赔", "保全") and rng.random() < 0.6
        products = rng.sample(self.products, rng.choice((1, 1, 2))) if wants_product else []
        if not products and rng.random() < 0.15:
            products = [rng.choice(self.products)]
        placeholders = ""
        if rng.random() < 0.2:
            placeholders = rng.choice(("hotline", "hotline", "address", "both"))
        ctx = {
            "top": top,
            "topic": topic,
            "product": products[0]["name"] if products else "各险种",
            "channel": rng.choice(CHANNEL_NAMES),
            "customer": rng.choice(CUSTOMERS),
            "time": rng.choice(TIMES),
            "dept": rng.choice(DEPTS),
            "material": rng.choice(self.materials[top]),
            "situation": rng.choice(self.situations[top]),
            "placeholders": placeholders,
            "has_product": "yes" if products else "",
        }
        title = self._title(top, ctx)

        count = rng.choices((3, 4, 5, 6), weights=(20, 32, 30, 18))[0]
        picked: list[int] = []
        while len(picked) < count:
            index = rng.choices(range(len(HEADINGS)), weights=HEADING_WEIGHTS)[0]
            if index not in picked:
                picked.append(index)
        picked.sort()
        headings = [HEADINGS[index] for index in picked]
        sections: list[str] = []
        detail = min(DETAIL_MAX, rng.lognormvariate(DETAIL_MU, DETAIL_SIGMA))
        for heading in headings:
            blocks = self.section_makers[heading](ctx)
            for _extra in range(int(detail + rng.random())):
                blocks.insert(rng.randint(0, len(blocks)), self._sentences(DETAILS, 2, 3, ctx))
            sections.append("\n\n".join([f"## {heading}", *blocks]))
        while sum(map(len, sections)) < MIN_BODY:  # short ones get another paragraph
            n = rng.randrange(len(sections))
            sections[n] += "\n\n" + self._sentences(DETAILS, 2, 3, ctx)
        if placeholders and "联系方式" not in headings:
            sections[-1] += "\n\n" + self._placeholder_sentence(ctx)
        body = "\n\n".join(sections) + "\n"

        summary = self._fill(rng.choice(SUMMARY_TEMPLATES), ctx)
        if len(summary) > 120:
            summary = summary[: summary.index("。") + 1]
        questions: list[str] = []
        for template in rng.sample(QUESTION_TEMPLATES, rng.randint(3, 6)):
            question = self._fill(template, ctx)
            if question not in questions:
                questions.append(question)
        extra = [sub_name, *TAGS_BY_TOP[top], *GENERAL_TAGS]
        tags = [topic, *rng.sample(extra, rng.randint(0, 2))]
        channels = [c for c in CHANNELS if rng.random() < 0.6]
        audience = "internal" if rng.random() < 0.1 else "public"
        if audience == "internal":
            channels = [c for c in channels if c in ("agent", "counter")]
        if not channels:
            channels = [rng.choice(("agent", "counter"))]
        roll = rng.random()
        review_due = None
        if roll < 0.6:
            review_due = f"{rng.choice((2025, 2026, 2027))}-{rng.randint(1, 12):02d}-01"
        return {
            "type": "article",
            "key": f"KB-{number:06d}",
            "title": title,
            "summary": summary,
            "body": body,
            "questions": questions,
            "category": path if rng.random() < 0.95 else top,
            "products": [product["code"] for product in products],
            "tags": list(dict.fromkeys(tags))[:3],
            "channels": channels,
            "audience": audience,
            "effective_from": "2025-01-01" if rng.random() < 0.3 else None,
            "effective_to": (
                f"{rng.choice((2027, 2028))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                if rng.random() < 0.02
                else None
            ),
            "review_due": review_due,
            "status": "published" if rng.random() < 0.97 else "draft",
        }


def _override(
    rng: random.Random, key: str, topic: str, headings: list[str], branch: Record
) -> Record:
    short = branch["name"]
    ctx = {
        "branch": short,
        "hotline": HOTLINE,
        "address": ADDRESS,
        "service_hours": SERVICE_HOURS,
        "channel": rng.choice(CHANNEL_NAMES),
        "time": rng.choice(TIMES),
    }
    hidden = True if rng.random() < 0.05 else None
    sections: dict[str, dict[str, str]] = {}
    if hidden is None:
        for slug in rng.sample(headings, min(len(headings), rng.choice((1, 1, 2)))):
            mode = rng.choices(("replace", "prepend", "append", "hide"), weights=(3, 2, 4, 1))[0]
            if mode == "hide":
                text = ""
            else:
                lines = [
                    line.format_map(ctx) for line in rng.sample(OVERRIDE_LINES, rng.randint(1, 3))
                ]
                text = lines[0] if len(lines) == 1 else "\n".join(f"- {line}" for line in lines)
            sections[slug] = {"mode": mode, "body": text}
    summary = ""
    if rng.random() < 0.2:
        summary = f"{short}客户办理{topic}，请按本地规定执行：" + OVERRIDE_LINES[1].format_map(ctx)
    reason = rng.choice(OVERRIDE_REASONS)
    note = f"{short}：{reason}。" if hidden is None else f"{short}暂不开办此项业务：{reason}。"
    return {
        "type": "override",
        "article": key,
        "branch": branch["code"],
        "hidden": hidden,
        "summary": summary,
        "sections": sections,
        "note": note,
        "status": "published",
    }


def generate(articles: int, branches: int, override_rate: float, seed: int = 1) -> Iterator[dict]:
    """Yield the corpus' records in import order; the same arguments give the same records."""
    rng = random.Random(seed)
    yield from _category_records()
    branch_records, override_codes = _branch_records(rng, branches)
    yield from branch_records
    products = _product_records(rng)
    yield from products

    writer = _ArticleWriter(rng, products)
    published: list[tuple[str, str, list[str]]] = []  # key, topic, section headings
    for number in range(1, articles + 1):
        record = writer.article(number)
        yield record
        if record["status"] == "published":
            headings = [line[3:] for line in record["body"].split("\n") if line.startswith("## ")]
            published.append((record["key"], record["tags"][0], headings))

    by_code = {record["code"]: record for record in branch_records}
    wanted = min(round(override_rate * articles), len(published) * len(override_codes))
    pairs: set[tuple[int, int]] = set()
    if wanted > len(published) * len(override_codes) // 2:
        every = [(a, b) for a in range(len(published)) for b in range(len(override_codes))]
        pairs.update(rng.sample(every, wanted))
    else:
        while len(pairs) < wanted:
            pairs.add((rng.randrange(len(published)), rng.randrange(len(override_codes))))
    for article_index, branch_index in sorted(pairs):
        key, topic, headings = published[article_index]
        branch = by_code[override_codes[branch_index]]
        yield _override(rng, key, topic, headings, branch)


def write(records: Iterator[Record], out: TextIO) -> int:
    """Write records as JSON lines; returns how many."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a kms_import JSONL benchmark corpus.")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles")
    parser.add_argument("--branches", type=int, default=36, help="number of provinces")
    parser.add_argument("--override-rate", type=float, default=0.05, help="overrides per article")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write here instead of stdout")
    args = parser.parse_args(argv)
    if args.articles < 0 or args.branches < 1 or args.override_rate < 0:
        parser.error("--articles >= 0, --branches >= 1 and --override-rate >= 0 please")
    records = generate(args.articles, args.branches, args.override_rate, args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="\n") as out:
            write(records, out)
    else:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
        try:
            write(records, out)
        finally:
            out.flush()
            out.detach()
    return 0


if __name__ == "__main__":
    sys.exit(main())
