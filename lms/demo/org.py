"""Demo organisation and people for `manage.py seed_demo`, drawn from the scenario documents.

The departments, their duties and the job descriptions come from the seed documents
(an internet-finance company: 市场拓展部, 产品研发部, 风险控制部, 资产保全部 …); the people
are made up, deterministically, so every machine gets the same demo.

Rules the seed keeps, so that `make run` can call it on every start:
- Organisation rows (departments, positions, levels, cohorts) are keyed on stable codes
  or names and brought to the values below: created when missing, updated when different,
  left untouched (not even saved) when equal.
- People and accounts are keyed on employee number / username and only ever created:
  what someone changed during a demo (a phone number, a password) survives a re-run. The
  demo accounts only get their role group added back if it went missing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from lms.demo.courses import SeedCounts, SeedReport
from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.roles import ROLE_ADMIN, ROLE_HR, ROLE_LEARNER, ROLE_TRAINER, ROLES
from lms.org.services import employee_create

User = get_user_model()

# Documented in the README for the demo only; set when an account is created, never reset.
DEMO_PASSWORD = "onramp-demo-2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "onramp.example"

# --- organisation -----------------------------------------------------------


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    duties: tuple[str, ...]
    parent: str = ""


@dataclass(frozen=True)
class PositionSpec:
    department: str  # a department code; "" for a company-wide position
    name: str
    duties: tuple[str, ...]


@dataclass(frozen=True)
class LevelSpec:
    code: str
    name: str
    rank: int


@dataclass(frozen=True)
class CohortSpec:
    name: str
    start_date: dt.date
    description: str


def duties_text(duties: tuple[str, ...]) -> str:
    """Numbered the way the seed documents number duties: 1、… 2、…"""
    return "\n".join(f"{n}、{duty}" for n, duty in enumerate(duties, start=1))


# Parents come before their children. Duties are those of 000_*.txt ㈣/㈨ (trimmed);
# 设计部, 人力资源部 (人资部), 运营部 are only named there, so theirs are gathered from the
# other sections (㈤ training, ㈧ recruiting, the operations duties of 产品研发部), and
# 财务部's from the 财务部经理 description in 003_*.txt.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "market",
        "市场拓展部",
        (
            "负责完成公司市场销售、市场拓展、费用控制等年度目标任务，并将目标责任制分解落实",
            "对营销政策、市场及同业营销动态进行调研分析，及时调整营销策略和计划",
            "负责拓展、管理销售渠道，协调维护商业合作伙伴及客户关系，建立销售体系",
            "指导营销人员解决工作中遇到的问题和困难，协助人力资源部完成员工绩效考核",
            "建立和管理销售队伍，规范销售流程，完成销售目标",
            "掌握市场动态，开辟新的客户，拓宽业务渠道，扩大公司产品的市场占有率",
            "负责业务谈判、业务合同和协议的草拟",
        ),
    ),
    DepartmentSpec(
        "product",
        "产品研发部",
        (
            "参与公司平台产品事项决策，协助CEO制定产品发展战略，实现企业产品管理目标",
            "根据公司的中长期发展规划，综合市场需求，开发设计适合平台的贷款产品和业务流程",
            "全面负责公司金融信贷板块的相关体系、制度、流程建设，为CEO决策提供专业方案",
            "依据公司产品需求，负责平台软件模块的需求分析、概要设计和详细规划",
            "统计、分析平台各类数据，提出改进方案，进行平台的维护、推广及升级",
            "对用户体验、业务流程等进行全面的分析和改进，参与平台的品牌、产品、市场规划",
        ),
    ),
    DepartmentSpec(
        "product-pm",
        "产品组",
        (
            "规划、设计和完善平台的各个产品、产品线或解决方案",
            "撰写产品原型和需求文档，驱动开发进度，保证产品按时推向市场",
            "收集和分析竞争产品、行业产品的信息",
        ),
        parent="product",
    ),
    DepartmentSpec(
        "product-tech",
        "技术组",
        (
            "负责平台软件模块的概要设计、详细设计与开发",
            "进行平台的维护及升级，保障系统稳定运行",
            "防范计算机网络系统缺陷、虚假账号、手机木马、钓鱼网站等技术与信息安全风险",
        ),
        parent="product",
    ),
    DepartmentSpec(
        "risk",
        "风险控制部",
        (
            "建立风控系统，拟定风险管理流程和风险管理制度，设计风险管理岗位的工作指引和运作流程",
            "对各类贷款项目进行实质风险审查，监控各类业务风险，建立企业风险数据库和跟踪档案",
            "负责公司项目的风险评估，并执行相关风险评估程序",
            "撰写风险评价报告，对业务操作中可能出现的风险点进行风险提示，出具风控建议",
            "组织贷审会，组织贷前风险审核、贷中风险控制及贷后跟踪管理，出具风险预警提示",
            "定期审阅公司内部风险控制制度和相关文件，并根据需要修改、完善",
        ),
    ),
    DepartmentSpec(
        "risk-credit",
        "征信审核组",
        (
            "对贷款项目和借款人进行贷前风险审查和征信审核",
            "执行风险评估程序，撰写风险评价报告，出具风控建议与风险程度",
            "为贷审会准备审核材料",
        ),
        parent="risk",
    ),
    DepartmentSpec(
        "risk-post-loan",
        "贷后管理组",
        (
            "负责贷中风险控制及贷后跟踪管理",
            "出具风险预警提示和风险评估报告",
            "维护企业风险数据库和跟踪档案",
        ),
        parent="risk",
    ),
    DepartmentSpec(
        "collection",
        "资产保全部",
        (
            "根据上级分配的催收任务开展工作，根据每月的工作目标，达成电话催收目标",
            "根据逾期情况，制定催收策略、目标及实施",
            "对任务内的逾期客户进行电话催收，引导客户正确还款意识，发现异常高风险客户及时上报",
            "按照前/中/后期的催收策略，对逾期的客户利用电话、短信手段进行催收",
            "对逾期账户的情况进行专业管理，根据客户实际要求做相应业务处理，及时反馈问题",
            "对逾期客户群体进行系统分析，寻求地域、贷款类别及所处行业的共性，提出应对策略",
            "如实记录催收结果，维护催收资料的收集整理，做好贷后管理工作",
        ),
    ),
    DepartmentSpec(
        "legal",
        "法务部",
        (
            "执行合同管理办法和管理流程，负责公司重大项目及公司级合同文本的法律审核",
            "制定法律政策，为公司的法律事务提供咨询，为经营决策提供法律服务，出具法律意见",
            "负责公司诉讼、劳动诉讼、仲裁法律纠纷案件处理的组织和领导",
            "协助有关部门建立公司合同、诉讼等管理制度，并组织落实和管理",
            "对法人授权、合同章使用进行管理及检查，对商务性合同进行合同审查",
            "负责与司法部门、仲裁部门、律师界的联络沟通",
            "健全和完善公司风险管理体系，确保公司业务在风险可控、可预测的情况下开展",
        ),
    ),
    DepartmentSpec(
        "service",
        "客服部",
        (
            "负责平台线上投融资客户的开户、交易等业务办理",
            "负责客户资料的收集和系统录入，分析数据，提炼客户需求",
            "负责平台在线咨询和400免费热线的业务咨询和回复，并做好记录登记",
            "通过短信、邮件、电话等形式向客户进行信息传达",
            "定期跟踪所服务的客户，了解客户的需求，建立深层次的客户关系",
            "搜集客户意见和建议，及时汇报公司，必要时与相关部门进行沟通",
            "处理疑难问题，最大限度提高客户满意度；不能解决的问题按流程提交并跟踪直至解决",
            "定期对业务查询和现有客户的情况做出系统的分析和制定报表",
            "负责借款人资料的收集与管理，配合风控人员做好贷前、贷中、贷后工作",
            "根据客户需求提供理财咨询服务，组织客户进行理财知识的系统培训",
            "建立并优化企业独有的服务准则，全方位优化客户服务质量",
        ),
    ),
    DepartmentSpec(
        "design",
        "设计部",
        (
            "负责平台网页与手机端的界面和交互设计",
            "配合产品研发部规划平台的风格，维护品牌视觉规范",
            "参与用户体验的分析和改进",
        ),
    ),
    DepartmentSpec(
        "hr",
        "人力资源部",
        (
            "负责人才招聘，建立和维护人才库（简历库、面试人员库、录用人员库）",
            "组织新员工入职培训：企业文化、公司管理体系和各项制度",
            "把基础及重复性的课程做成录播在线课程，结合面授培训，让新员工快速熟悉业务",
            "组织员工绩效考核",
        ),
    ),
    DepartmentSpec(
        "operations",
        "运营部",
        (
            "制定平台的中长期运营目标和规划，制定运营策略、方案并组织执行",
            "统计、分析平台各类数据，提出改进方案",
            "负责公司的网络推广和网络营销，扩大公司影响力",
            "负责公共活动的组织、策划和执行",
            "关注行业市场及同行运营策略",
        ),
    ),
    DepartmentSpec(
        "finance",
        "财务部",
        (
            "负责财务管理、成本管理、预算管理等方面的工作",
            "建立健全财务核算制度，利用财务会计资料进行经济活动分析",
            "执行国家和地方税收政策及程序",
            "负责资金往来的记录、审核",
        ),
    ),
)

# Job descriptions: 产品经理 and 客户经理 from 003_*.txt (推荐第1篇, 第10篇), 会计 and 出纳
# from its 第16篇, 部门经理 from 第5篇; the others from their department's duties in 000_*.txt.
POSITIONS: tuple[PositionSpec, ...] = (
    PositionSpec(
        "",
        "部门经理",
        (
            "负责本部门的全面工作",
            "制订和完善本部门的年度工作目标和考核方案，对直接下级进行考核、指导、监督、检查",
            "向本部门传达、贯彻公司的各项方针政策、规章制度，协调本部门与其他部门之间的关系",
            "带教本部门新员工，督促其完成学习路径和面授培训",
            "完成上级领导交办的其他相关事项",
        ),
    ),
    PositionSpec(
        "",
        "组长",
        (
            "带领本组完成工作目标，分解任务并检查完成情况",
            "指导组员解决工作中遇到的问题和困难",
            "协助部门经理完成组员的绩效考核和新员工带教",
        ),
    ),
    PositionSpec(
        "market",
        "客户经理",
        (
            "负责宣传、销售公司产品，进行客户调研，寻找开发潜在客户",
            "受理客户授信申请，对客户基本条件进行初步审核",
            "开展贷前调查、分析，独立完成授信调查报告，并对报告内容的真实性负责",
            "负责客户的日常管理，及时了解并反馈客户需求，提供产品介绍和金融服务",
            "开展贷后管理工作，对客户进行不定期查访，防范、控制和化解业务风险",
            "协助做好逾期贷款本息的催收工作，控制贷款风险",
            "维护与现有客户之间的良好关系，建立客户档案，定期联络并推荐新产品",
        ),
    ),
    PositionSpec(
        "market",
        "市场拓展专员",
        (
            "拓展、管理销售渠道，维护商业合作伙伴及客户关系",
            "掌握市场动态，开辟新的客户，拓宽业务渠道",
            "协助业务谈判，草拟业务合同和协议",
        ),
    ),
    PositionSpec(
        "product-pm",
        "产品经理",
        (
            "在公司运营战略指导下，整体研究、策划、设计和完善公司的各个产品、产品线或者解决方案",
            "综合各方面产品需求和技术平台，撰写产品的原型设计、产品需求书，详细阐述产品功能和操作流程",
            "与技术、运营等部门对接，驱动项目的开发进度，把控项目进度节点",
            "负责对竞争产品、行业产品、行业相关信息的收集整理和深度分析，定期提供产品工作报告",
        ),
    ),
    PositionSpec(
        "product-tech",
        "开发工程师",
        (
            "依据产品需求，负责平台软件模块的概要设计、详细设计与开发",
            "进行平台的维护及升级，保障系统稳定运行",
            "防范系统缺陷、虚假账号、木马、钓鱼网站等安全风险",
        ),
    ),
    PositionSpec(
        "risk-credit",
        "风控专员",
        (
            "对各类贷款项目进行实质风险审查，与业务团队经理沟通，充分了解项目风险情况",
            "负责项目的风险评估，并执行相关风险评估程序",
            "撰写风险评价报告，对可能出现的风险点进行风险提示，出具风控建议与风险程度",
            "参与贷审会，做好贷前风险审核",
        ),
    ),
    PositionSpec(
        "risk-post-loan",
        "贷后管理专员",
        (
            "负责贷中风险控制及贷后跟踪管理工作",
            "出具风险预警提示和风险评估报告",
            "维护企业风险数据库和跟踪档案",
        ),
    ),
    PositionSpec(
        "collection",
        "催收专员",
        (
            "根据上级分配的催收任务开展工作，达成每月电话催收目标",
            "对任务内的逾期客户进行电话催收，引导客户正确还款意识，发现异常高风险客户及时上报",
            "按照前/中/后期的催收策略，对逾期的客户利用电话、短信手段进行催收",
            "对逾期账户进行专业管理，根据客户实际要求做相应业务处理，及时反馈问题",
            "如实记录催收结果，维护催收资料的收集整理",
        ),
    ),
    PositionSpec(
        "legal",
        "法务专员",
        (
            "执行合同管理办法和管理流程，对商务性合同进行合同审查",
            "为公司的法律事务提供咨询，出具法律意见",
            "对法人授权、合同章使用进行管理及检查",
            "负责与司法部门、仲裁部门、律师界的联络沟通",
        ),
    ),
    PositionSpec(
        "service",
        "客服专员",
        (
            "负责平台线上投融资客户的开户、交易等业务办理",
            "负责客户资料的收集和系统录入",
            "负责在线咨询和400免费热线的业务咨询和回复，并做好记录登记",
            "搜集客户意见和建议，及时汇报，必要时与相关部门进行沟通",
            "遇到不能解决的问题按照流程提交相关人员或主管处理，并跟踪进展直至解决",
        ),
    ),
    PositionSpec(
        "service",
        "理财顾问",
        (
            "根据客户需求提供全方位的理财服务",
            "与客户进行联络和沟通，维护客户关系",
            "组织客户进行理财知识的系统培训",
            "调查和分析客户的问题，防范风险，配合风控人员做好贷前、贷中、贷后工作",
        ),
    ),
    PositionSpec(
        "design",
        "UI设计师",
        (
            "负责平台网页与手机端的界面和交互设计",
            "规划平台的视觉风格，输出设计规范",
            "配合产品经理完成产品原型的视觉呈现",
        ),
    ),
    PositionSpec(
        "hr",
        "招聘专员",
        (
            "负责招聘渠道的维护和人才的猎聘",
            "维护人才库（简历库、面试人员库、录用人员库）",
            "定期向储备人才推送新增岗位，回访离职的优秀员工",
        ),
    ),
    PositionSpec(
        "hr",
        "培训专员",
        (
            "组织新员工入职培训：企业文化、公司管理体系和各项制度",
            "把基础及重复性的课程做成录播在线课程，为各岗位和职级设置学习路径",
            "组织面授培训，训前收集新员工希望老师详细讲解的问题",
        ),
    ),
    PositionSpec(
        "operations",
        "运营专员",
        (
            "统计、分析平台各类数据，提出改进方案",
            "负责网站平台的信息发布和网络推广",
            "关注行业市场及同行运营策略",
        ),
    ),
    PositionSpec(
        "finance",
        "会计",
        (
            "负责公司的结算业务",
            "负责公司收入、成本、费用等核算",
            "负责公司的财务预算、财务分析、资金筹划",
            "负责开具发票",
            "负责对会计凭证、会计账簿、会计报表、财务决算的资料进行定期会计稽核",
            "负责向税务机关报送报表及处理相关税务事宜",
        ),
    ),
    PositionSpec(
        "finance",
        "出纳",
        (
            "负责及时准确办理公司现金收付业务和银行存款结算业务",
            "负责库存现金的日清月结，随时掌握货币资金、银行存款的情况，填报相关月报",
            "负责银行票据、有价证券的保管并及时登记",
            "负责公司银行账户开户、销户等业务的办理",
        ),
    ),
)

# Ranks leave gaps so a grade can be slotted in later without renumbering.
LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec("P1", "初级专员", 10),
    LevelSpec("P2", "专员", 20),
    LevelSpec("P3", "高级专员", 30),
    LevelSpec("P4", "资深专员", 40),
    LevelSpec("P5", "专家", 50),
    LevelSpec("M1", "主管", 60),
    LevelSpec("M2", "经理", 70),
    LevelSpec("M3", "总监", 80),
)

CAMPUS_COHORT = "2026-12 校招"
EXPERIENCED_COHORT = "2026-09 社招"

COHORTS: tuple[CohortSpec, ...] = (
    CohortSpec(
        EXPERIENCED_COHORT,
        dt.date(2026, 9, 1),
        "2026年9月社会招聘的新员工，按各自到岗日期陆续入职。",
    ),
    CohortSpec(
        CAMPUS_COHORT,
        dt.date(2026, 12, 1),
        "2026届校园招聘新员工，12月1日集中入职：先在手机上学习学习路径中的基础课程、"
        "回答训前调研，再参加面授培训。",
    ),
)

# --- people -----------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    employee_no: str
    name: str
    department: str  # code
    position: str  # name, within the department or company-wide
    level: str  # code
    start_date: dt.date
    manager: str = ""  # employee number
    cohort: str = ""  # name
    phone: str = ""
    roles: tuple[str, ...] = (ROLE_LEARNER,)
    username: str = ""  # the employee number unless given
    password: str = ""  # only the demo accounts sign in; everyone else has none

    @property
    def email(self) -> str:
        return f"{(self.username or self.employee_no).lower()}@{DEMO_EMAIL_DOMAIN}"


LEADER_ROLES = (ROLE_LEARNER, ROLE_TRAINER)

# Staff who were there before the cohorts: heads and team leads (who also teach), HR,
# and the demo trainer. Written out so the org chart reads like one.
STAFF: tuple[PersonSpec, ...] = (
    PersonSpec("E1001", "王建国", "market", "部门经理", "M2", dt.date(2019, 3, 11), phone="13801561207", roles=LEADER_ROLES),
    PersonSpec("E1002", "陈思远", "product", "部门经理", "M3", dt.date(2018, 7, 2), phone="13916620453", roles=LEADER_ROLES),
    PersonSpec("E1003", "刘晓峰", "product-pm", "组长", "M1", dt.date(2020, 5, 18), "E1002", phone="13661872390", roles=LEADER_ROLES),
    PersonSpec("E1004", "赵磊", "product-tech", "组长", "M1", dt.date(2019, 10, 8), "E1002", phone="18621054876", roles=LEADER_ROLES),
    PersonSpec("E1005", "孙丽华", "risk", "部门经理", "M3", dt.date(2018, 9, 3), phone="13564098712", roles=LEADER_ROLES),
    PersonSpec("E1006", "周海涛", "risk-credit", "组长", "M1", dt.date(2020, 3, 16), "E1005", phone="15800437621", roles=LEADER_ROLES),
    PersonSpec("E1007", "吴静", "risk-post-loan", "组长", "M1", dt.date(2021, 4, 6), "E1005", phone="15921368054", roles=LEADER_ROLES),
    PersonSpec("E1008", "郑伟", "collection", "部门经理", "M2", dt.date(2019, 6, 17), phone="13774526130", roles=LEADER_ROLES),
    PersonSpec("E1009", "冯雅琴", "legal", "部门经理", "M2", dt.date(2020, 8, 10), phone="18918306542", roles=LEADER_ROLES),
    PersonSpec("E1010", "何敏", "service", "部门经理", "M2", dt.date(2019, 11, 4), phone="13482217905", roles=LEADER_ROLES),
    PersonSpec("E1011", "林小雨", "design", "部门经理", "M1", dt.date(2021, 2, 22), phone="17717325608", roles=LEADER_ROLES),
    PersonSpec("E1012", "高志强", "hr", "部门经理", "M2", dt.date(2018, 12, 3), phone="13611987034", roles=(ROLE_LEARNER, ROLE_HR)),
    PersonSpec("E1013", "罗晶", "operations", "部门经理", "M2", dt.date(2020, 6, 1), phone="15026714389", roles=LEADER_ROLES),
    PersonSpec("E1014", "梁芳", "finance", "部门经理", "M2", dt.date(2019, 1, 7), phone="13311560284", roles=LEADER_ROLES),
    PersonSpec("E1015", "许文静", "hr", "招聘专员", "P3", dt.date(2022, 3, 14), "E1012", phone="18817290463", roles=(ROLE_HR,), username="demo.hr", password=DEMO_PASSWORD),
    PersonSpec("E1016", "唐志明", "hr", "培训专员", "P4", dt.date(2021, 9, 6), "E1012", phone="13917046285", roles=(ROLE_TRAINER,), username="demo.trainer", password=DEMO_PASSWORD),
)  # fmt: skip

DEMO_LEARNER = PersonSpec(
    "E2612001",
    "李佳怡",
    "market",
    "客户经理",
    "P1",
    dt.date(2026, 12, 1),
    "E1001",
    cohort=CAMPUS_COHORT,
    phone="15601827394",
    username="demo.learner",
    password=DEMO_PASSWORD,
)

ADMIN_USERNAME = "admin"
DEMO_USERNAMES = ("demo.learner", "demo.trainer", "demo.hr", ADMIN_USERNAME)

# (department code, position, how many) per cohort; the campus cohort has the demo learner
# as one more 客户经理.
CAMPUS_OPENINGS: tuple[tuple[str, str, int], ...] = (
    ("market", "客户经理", 10),
    ("market", "市场拓展专员", 4),
    ("product-pm", "产品经理", 4),
    ("product-tech", "开发工程师", 6),
    ("risk-credit", "风控专员", 7),
    ("risk-post-loan", "贷后管理专员", 4),
    ("collection", "催收专员", 8),
    ("legal", "法务专员", 2),
    ("service", "客服专员", 8),
    ("service", "理财顾问", 3),
    ("design", "UI设计师", 2),
    ("operations", "运营专员", 4),
    ("finance", "会计", 1),
    ("finance", "出纳", 1),
    ("hr", "招聘专员", 1),
)
EXPERIENCED_OPENINGS: tuple[tuple[str, str, int], ...] = (
    ("market", "客户经理", 3),
    ("product-pm", "产品经理", 1),
    ("product-tech", "开发工程师", 2),
    ("risk-credit", "风控专员", 2),
    ("risk-post-loan", "贷后管理专员", 1),
    ("collection", "催收专员", 2),
    ("legal", "法务专员", 1),
    ("operations", "运营专员", 1),
    ("design", "UI设计师", 1),
)

SURNAMES = (  # noqa: SIM905 (a line of names reads better than 60 quoted ones)
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹"
    " 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金"
).split()
GIVEN_NAMES = (  # noqa: SIM905
    "子涵 欣怡 梓萱 思涵 浩然 宇轩 雨桐 俊杰 佳琪 诗琪 一鸣 晨曦 子轩 雅婷 博文 嘉怡 明哲 梦瑶"
    " 天宇 若曦 思远 静怡 志豪 紫涵 昊天 雨欣 晓东 文博 晓琳 嘉豪 婉清 泽宇 可欣 铭轩 慧敏 鹏飞"
    " 宏伟 心怡 子豪 书瑶 凯 磊 婷 洋 超 敏 杰 颖 鑫 丹 琳 帆"
).split()
MOBILE_PREFIXES = (  # noqa: SIM905
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 177 180 181"
    " 182 183 185 186 187 188 189 198 199"
).split()

# A fixed seed: the same names, phones and dates on every machine and every run.
PEOPLE_SEED = 20261201


def new_hires() -> list[PersonSpec]:
    """The two cohorts' new hires (the demo learner first), the same on every call."""
    rng = random.Random(PEOPLE_SEED)
    leads = {p.department: p.employee_no for p in STAFF if p.position in ("部门经理", "组长")}
    taken_names = {p.name for p in (*STAFF, DEMO_LEARNER)}
    taken_phones = {p.phone for p in (*STAFF, DEMO_LEARNER)}

    def name() -> str:
        while True:
            candidate = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
            if candidate not in taken_names:
                taken_names.add(candidate)
                return candidate

    def phone() -> str:
        while True:
            candidate = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if candidate not in taken_phones:
                taken_phones.add(candidate)
                return candidate

    def openings(table: tuple[tuple[str, str, int], ...]) -> list[tuple[str, str]]:
        slots = [(dept, position) for dept, position, count in table for _n in range(count)]
        rng.shuffle(slots)
        return slots

    people = [DEMO_LEARNER]
    for n, (department, position) in enumerate(openings(CAMPUS_OPENINGS), start=2):
        # A few graduates (master's degrees) start one grade up; a few arrive a week late.
        people.append(
            PersonSpec(
                f"E2612{n:03d}",
                name(),
                department,
                position,
                "P2" if rng.random() < 0.2 else "P1",
                dt.date(2026, 12, 7) if rng.random() < 0.1 else dt.date(2026, 12, 1),
                leads[department],
                cohort=CAMPUS_COHORT,
                phone=phone(),
            )
        )
    for n, (department, position) in enumerate(openings(EXPERIENCED_OPENINGS), start=1):
        people.append(
            PersonSpec(
                f"E2609{n:03d}",
                name(),
                department,
                position,
                rng.choice(("P2", "P2", "P3", "P3", "P4")),
                dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(0, 28)),
                leads[department],
                cohort=EXPERIENCED_COHORT,
                phone=phone(),
            )
        )
    return people


# --- the seed ---------------------------------------------------------------


def _bring_to(obj: models.Model, values: dict[str, Any], counts: SeedCounts) -> None:
    """Save only the fields that differ, so an unchanged row is not even written."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        counts.unchanged += 1
        return
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    counts.updated += 1


def _seed_departments(counts: SeedCounts) -> dict[str, Department]:
    existing = list(Department.objects.all())
    by_code = {d.code: d for d in existing}
    by_place = {(d.parent_id, d.name): d for d in existing}
    seeded: dict[str, Department] = {}
    for sort_order, spec in enumerate(DEPARTMENTS, start=1):
        parent = seeded[spec.parent] if spec.parent else None
        values = {
            "name": spec.name,
            "parent_id": parent.pk if parent else None,
            "description": duties_text(spec.duties),
            "sort_order": sort_order * 10,
        }
        # A department a roster import made (code = its name) is adopted, not duplicated.
        department = by_code.get(spec.code) or by_place.get((values["parent_id"], spec.name))
        if department is None:
            department = Department.objects.create(code=spec.code, **values)
            counts.created += 1
        else:
            _bring_to(department, {"code": spec.code, **values}, counts)
        seeded[spec.code] = department
    return seeded


def _seed_positions(
    counts: SeedCounts, departments: dict[str, Department]
) -> dict[tuple[str, str], Position]:
    existing = {(p.department_id, p.name): p for p in Position.objects.all()}
    seeded: dict[tuple[str, str], Position] = {}
    for spec in POSITIONS:
        department = departments[spec.department] if spec.department else None
        key = (department.pk if department else None, spec.name)
        duties = duties_text(spec.duties)
        position = existing.get(key)
        if position is None:
            position = Position.objects.create(department=department, name=spec.name, duties=duties)
            counts.created += 1
        else:
            _bring_to(position, {"duties": duties}, counts)
        seeded[(spec.department, spec.name)] = position
    return seeded


def _seed_levels(counts: SeedCounts) -> dict[str, Level]:
    existing = {level.code: level for level in Level.objects.all()}
    for spec in LEVELS:
        level = existing.get(spec.code)
        if level is None:
            existing[spec.code] = Level.objects.create(
                code=spec.code, name=spec.name, rank=spec.rank
            )
            counts.created += 1
        else:
            _bring_to(level, {"name": spec.name, "rank": spec.rank}, counts)
    return existing


def _seed_cohorts(counts: SeedCounts) -> dict[str, Cohort]:
    existing = {cohort.name: cohort for cohort in Cohort.objects.all()}
    for spec in COHORTS:
        values = {"start_date": spec.start_date, "description": spec.description}
        cohort = existing.get(spec.name)
        if cohort is None:
            existing[spec.name] = Cohort.objects.create(name=spec.name, **values)
            counts.created += 1
        else:
            _bring_to(cohort, values, counts)
    return existing


def _role_groups() -> dict[str, Group]:
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
    if len(groups) < len(ROLES):
        # Normally made by migrate; a database set up some other way gets them here.
        from lms.org.roles import roles_sync

        roles_sync()
        groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
    return groups


def _seed_people(
    *,
    people: list[PersonSpec],
    counts: SeedCounts,
    departments: dict[str, Department],
    positions: dict[tuple[str, str], Position],
    levels: dict[str, Level],
    cohorts: dict[str, Cohort],
) -> dict[str, Employee]:
    numbers = [p.employee_no for p in people]
    employees = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=numbers)}
    usernames = [p.username or p.employee_no for p in people if p.employee_no not in employees]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    taken = set(
        Employee.objects.filter(user__username__in=usernames).values_list(
            "user__username", flat=True
        )
    )
    for spec in people:
        username = spec.username or spec.employee_no
        # An account that already belongs to someone means the person is there under another
        # employee number (renumbered during a demo): leave them be.
        if spec.employee_no in employees or username in taken:
            counts.unchanged += 1
            continue
        department = departments[spec.department]
        fields: dict[str, Any] = {
            "employee_no": spec.employee_no,
            "name": spec.name,
            "department": department,
            "position": positions.get((spec.department, spec.position))
            or positions[("", spec.position)],
            "level": levels[spec.level],
            "cohort": cohorts[spec.cohort] if spec.cohort else None,
            "manager": employees.get(spec.manager) if spec.manager else None,
            "start_date": spec.start_date,
            "phone": spec.phone,
            "email": spec.email,
        }
        user = users.get(username)
        if user is None:
            employee = employee_create(
                **fields,
                username=username,
                password=spec.password or None,
                roles=spec.roles,
            )
        else:
            # An account of that name with no person yet (made by hand): give it the person.
            user.groups.add(*Group.objects.filter(name__in=spec.roles))
            employee = Employee.objects.create(user=user, **fields)
        employees[spec.employee_no] = employee
        counts.created += 1
    return employees


def _seed_demo_accounts(*, counts: SeedCounts, groups: dict[str, Group], existed: set[str]) -> None:
    """The four documented sign-ins: made once; afterwards only their role is put back."""
    people = {p.username: p for p in (*STAFF, DEMO_LEARNER) if p.username}
    wanted_role = {username: person.roles[0] for username, person in people.items()}
    wanted_role[ADMIN_USERNAME] = ROLE_ADMIN
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    if ADMIN_USERNAME not in users:
        users[ADMIN_USERNAME] = User.objects.create_superuser(
            username=ADMIN_USERNAME,
            email=f"{ADMIN_USERNAME}@{DEMO_EMAIL_DOMAIN}",
            password=DEMO_PASSWORD,
        )
        users[ADMIN_USERNAME].groups.add(groups[ROLE_ADMIN])
    memberships = set(
        User.groups.through.objects.filter(
            user__username__in=DEMO_USERNAMES, group__name__in=ROLES
        ).values_list("user__username", "group__name")
    )
    for username in DEMO_USERNAMES:
        role = wanted_role[username]
        if username not in existed:
            counts.created += 1
        elif (username, role) not in memberships:
            users[username].groups.add(groups[role])
            counts.updated += 1
        else:
            counts.unchanged += 1


@transaction.atomic
def demo_organisation_seed() -> SeedReport:
    """Create (or bring up to date) the demo organisation, its people and the demo accounts."""
    report = SeedReport(apps.get_app_config("org").verbose_name)
    departments = _seed_departments(report.add(Department._meta.verbose_name_plural))
    positions = _seed_positions(report.add(Position._meta.verbose_name_plural), departments)
    levels = _seed_levels(report.add(Level._meta.verbose_name_plural))
    cohorts = _seed_cohorts(report.add(Cohort._meta.verbose_name_plural))
    groups = _role_groups()
    existed = set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    _seed_people(
        people=[*STAFF, *new_hires()],
        counts=report.add(Employee._meta.verbose_name_plural),
        departments=departments,
        positions=positions,
        levels=levels,
        cohorts=cohorts,
    )
    _seed_demo_accounts(counts=report.add(_("demo accounts")), groups=groups, existed=existed)
    return report
