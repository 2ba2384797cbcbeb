"""The demo courses, written from the seed documents (an internet-finance company).

Text is adapted from seeds/000_*.txt (㈠ what internet finance is, ㈢ the people it needs,
㈣/㈨ the departments' duties, ㈤/㈥ training) and seeds/003_*.txt (第1篇 product manager,
第2–4、18篇 P2P and its supervision, 第5–16篇 customer managers, 第17篇 credit cases, 第20篇
question bank). Attendance and confidentiality rules are not in the seeds; they are the
plain rules any such company has, written in the same voice.

Data, not messages: shipped in Chinese like the rest of the demo. One course also has an
English translation, to show the "translate this course" path.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Question:
    kind: str  # single_choice | multiple_choice | true_false
    text: str
    options: tuple[tuple[str, bool], ...] = ()
    answer: bool = True  # true_false only
    explanation: str = ""
    topic: str = ""  # one of the course's topics: the trainer's brief groups misses by it


def single(
    text: str, *options: tuple[str, bool], explanation: str = "", topic: str = ""
) -> Question:
    return Question("single_choice", text, tuple(options), explanation=explanation, topic=topic)


def multiple(
    text: str, *options: tuple[str, bool], explanation: str = "", topic: str = ""
) -> Question:
    return Question("multiple_choice", text, tuple(options), explanation=explanation, topic=topic)


def true_false(text: str, answer: bool, explanation: str = "", topic: str = "") -> Question:
    return Question("true_false", text, answer=answer, explanation=explanation, topic=topic)


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    minutes: int
    summary: str
    html: str  # the lesson text, as rich text HTML
    key_points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    audience: str
    topics: tuple[str, ...]
    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]
    visibility: str = "staff"  # staff | path | groups
    group: str = ""  # the audience group for visibility "groups"
    group_departments: tuple[str, ...] = ()  # department codes whose people join the group
    quiz_title: str = ""
    translation: Course | None = field(default=None, compare=False)


def p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def h2(text: str) -> str:
    return f"<h2>{text}</h2>"


COMPANY_EN = Course(
    slug="company-culture",
    title="Our company and culture",
    summary=(
        "Internet finance, how the company is organised and who does what, and the culture "
        "we work by: open, equal, collaborative, sharing."
    ),
    audience="Every new hire, on their first day.",
    topics=(
        "What internet finance is",
        "Departments and who does what",
        "Our culture: open, equal, collaborative, sharing",
        "How new hires learn here",
    ),
    lessons=(
        Lesson(
            "internet-finance-and-us",
            "Internet finance and our company",
            10,
            "What internet finance is, and why its essence is still finance.",
            h2("Internet plus finance")
            + p(
                "Internet finance combines the internet and finance: it uses internet and mobile "
                "technology to move money, make payments and act as an information "
                "intermediary. Online banking, third-party payments, online wealth products and "
                "peer-to-peer lending all belong to it.",
                "The term became popular in 2013, when products such as Yu'E Bao drew large "
                "sums out of bank deposits. Internet companies pushed banks, funds and brokers "
                "to serve customers better — but the essence of internet finance is finance. "
                "Technology is our tool; managing risk is our core skill.",
            )
            + h2("Risks we take seriously")
            + p(
                "Weak internal controls, missing rules, and technical risks — system flaws, "
                "fake accounts, mobile trojans, hackers and phishing sites — threaten the "
                "safety of money and information. Everyone here is expected to spot and report "
                "them."
            ),
            (
                "The essence of internet finance is finance",
                "Open, equal, collaborative, sharing",
                "Risk control comes before speed",
            ),
        ),
        Lesson(
            "departments",
            "Departments: who does what",
            12,
            "The departments of an internet-finance platform and what each is responsible for.",
            h2("Our departments")
            + ul(
                "<b>Market development</b>: sales targets, channels, partners and new customers.",
                "<b>Product development</b>: the platform's products, requirements and data.",
                "<b>Risk control</b>: risk reviews, the loan committee, pre-, in- and "
                "post-loan management.",
                "<b>Asset recovery</b>: collection of overdue loans by phone and text, by the "
                "rules.",
                "<b>Legal</b>: contract review, legal advice, disputes and the company seal.",
                "<b>Customer service</b>: accounts, the 400 hotline, complaints and follow-up.",
                "<b>Design, HR, operations and finance</b> support all of them.",
            )
            + p(
                "Each department has its duties written down; your own position's duties come "
                "with your learning path."
            ),
            ("Every department has written duties", "Risk control reviews every loan"),
        ),
        Lesson(
            "culture-and-learning",
            "Our culture and how you learn here",
            8,
            "Company culture, the management system, and your learning path.",
            h2("Learning here")
            + p(
                "New hires learn the culture before they start, and the management system and "
                "rules once they have. Basic, repeated courses are recorded and put on the "
                "mobile learning platform: your learning path shows which courses your position "
                "and level need.",
                "Before each in-person session you study its prerequisite courses on your phone "
                "and answer a few questions about what you want the trainer to explain in "
                "detail.",
            ),
            ("Recorded courses first, then in-person sessions", "Answer the pre-training survey"),
        ),
    ),
    # Same order, kinds and options as the Chinese bank: a translation keeps question ids.
    questions=(
        single(
            "What is the essence of internet finance?",
            ("Finance", True),
            ("Internet technology", False),
            ("E-commerce", False),
            ("Social networks", False),
            explanation="Internet companies bring technology, but internet finance is still "
            "finance: controlling risk is the core.",
        ),
        multiple(
            "Which of these are features of internet finance?",
            ("Open", True),
            ("Equal", True),
            ("Collaborative and sharing", True),
            ("Closed and monopolistic", False),
            explanation="Internet finance is open, equal, collaborative and sharing.",
        ),
        single(
            "Which department organises the loan committee?",
            ("Risk control", True),
            ("Market development", False),
            ("Customer service", False),
            ("Finance", False),
            explanation="Risk control runs the loan committee and pre-, in- and post-loan reviews.",
        ),
        true_false(
            "Before an in-person session, new hires study its basic courses on their phone and "
            "answer a pre-training survey.",
            True,
            "Recorded courses lay the groundwork; the survey tells the trainer what to explain.",
        ),
        single(
            "Which department reviews the company's major contracts?",
            ("Legal", True),
            ("Operations", False),
            ("Asset recovery", False),
            explanation="Legal reviews major projects' and company-level contracts.",
        ),
    ),
    quiz_title="Company and culture quiz",
)


COURSES: tuple[Course, ...] = (
    Course(
        slug="company-culture",
        title="公司介绍与企业文化",
        summary="了解公司所处的互联网金融行业、各部门的分工，以及我们“开放、平等、协作、分享”的企业文化。",
        audience="全体新员工，入职第一天学习。",
        topics=(
            "互联网金融是什么",
            "公司的部门与分工",
            "企业文化：开放、平等、协作、分享",
            "新员工的学习方式",
        ),
        lessons=(
            Lesson(
                "internet-finance-and-us",
                "互联网金融与我们的公司",
                10,
                "互联网金融是什么，以及为什么说它的本质仍是金融。",
                h2("互联网与金融的深度融合")
                + p(
                    "互联网金融是互联网与金融的结合：借助互联网技术和移动通信技术，实现资金融通、"
                    "支付和信息中介功能。网上银行、第三方支付、在线理财、P2P网络借贷和众筹融资，"
                    "都属于互联网金融的范畴。",
                    "互联网金融真正成为热词是在2013年，以余额宝为代表的网上理财产品吸引了大量资金。"
                    "互联网企业的渗透促使银行、基金、券商调整战略，也让金融服务更透明、参与面更广、"
                    "中间成本更低、操作更便捷。",
                    "但我们要清醒地认识到：互联网金融的本质是金融，互联网企业的优势在于技术，"
                    "而技术未必是金融领域最核心的优势。对风险的预测和控制，才是我们的基本功。",
                )
                + h2("需要警惕的风险")
                + p(
                    "内控机制不完善、缺乏行业规范，以及计算机网络系统的缺陷、虚假账号、手机木马、"
                    "电脑黑客、钓鱼网站等问题，都会带来资金安全和信息安全风险。每位员工都要学会识别、"
                    "及时上报。"
                ),
                ("互联网金融的本质是金融", "开放、平等、协作、分享", "风险防控优先于速度"),
            ),
            Lesson(
                "departments",
                "部门与岗位：谁负责什么",
                12,
                "一家互联网金融平台公司设有哪些部门，各自负责什么。",
                h2("我们的部门")
                + ul(
                    "<b>市场拓展部</b>：完成市场销售和拓展目标，拓展销售渠道，开辟新客户。",
                    "<b>产品研发部</b>：设计适合平台的贷款产品和业务流程，负责需求分析与平台数据分析。",
                    "<b>风险控制部</b>：建立风控系统，组织贷审会，负责贷前审核、贷中控制和贷后跟踪。",
                    "<b>资产保全部</b>：按前/中/后期策略，通过电话、短信对逾期客户进行催收。",
                    "<b>法务部</b>：合同法律审核、法律咨询、诉讼仲裁，管理法人授权和合同章。",
                    "<b>客服部</b>：客户开户与交易办理、400热线咨询、投诉处理和客户回访。",
                    "<b>设计部、人力资源部、运营部、财务部</b>：为各业务部门提供支持。",
                )
                + p("每个部门都有成文的职责；你所在岗位的职责会随学习路径一起发给你。"),
                ("每个部门都有成文的职责", "风险控制部审核每一笔贷款", "遇到问题找对部门"),
            ),
            Lesson(
                "culture-and-learning",
                "我们的文化与学习方式",
                8,
                "企业文化、管理体系，以及新员工如何在手机上学习。",
                h2("在这里如何学习")
                + p(
                    "不管公司规模多大，新员工入职前都要接受企业文化培训，入职后要学习公司的管理体系和一系列制度。"
                    "只有了解了公司的管理体系和相关制度，才能更好地开展工作。",
                    "我们把基础以及重复性的课程做成录播在线课程，放在移动学习平台上。"
                    "新员工一进来就能看到自己的学习路径图：根据岗位和职级，清楚地知道需要学习哪些课程、"
                    "具备什么样的技能。",
                    "参加面授培训之前，先在手机上学习几门相关的基础课程，再回答几个训前调研问题："
                    "希望老师在面授中详细讲解哪些方面的知识。",
                ),
                ("先学录播课，再参加面授", "认真填写训前调研", "学习路径因岗位和职级而异"),
            ),
        ),
        questions=(
            single(
                "互联网金融的本质是什么？",
                ("金融", True),
                ("互联网技术", False),
                ("电子商务", False),
                ("社交网络", False),
                explanation="互联网企业的优势在于技术，但互联网金融的本质仍是金融，风险防控是核心。",
            ),
            multiple(
                "互联网金融具有哪些特征？",
                ("开放", True),
                ("平等", True),
                ("协作、分享", True),
                ("封闭、垄断", False),
                explanation="互联网金融具有“开放、平等、协作、分享”的特征。",
            ),
            single(
                "负责组织贷审会的是哪个部门？",
                ("风险控制部", True),
                ("市场拓展部", False),
                ("客服部", False),
                ("财务部", False),
                explanation="风险控制部负责组织贷审会，以及贷前审核、贷中控制和贷后跟踪管理。",
            ),
            true_false(
                "新员工参加面授培训前，应先在手机上学习相关基础课程，并回答训前调研问题。",
                True,
                "录播课程打基础，训前调研让老师知道大家希望详细讲解什么。",
            ),
            single(
                "公司重大合同的法律审核由哪个部门负责？",
                ("法务部", True),
                ("运营部", False),
                ("资产保全部", False),
                explanation="法务部负责公司重大项目及公司级合同文本的法律审核。",
            ),
        ),
        quiz_title="公司与文化小测验",
        translation=COMPANY_EN,
    ),
    Course(
        slug="policies",
        title="管理制度（考勤、保密、合规）",
        summary="上班第一周必须掌握的三项制度：考勤与请假、公司与客户信息的保密、合规经营的底线。",
        audience="全体新员工，入职第一周内完成。",
        topics=("考勤与请假", "公司与客户信息保密", "信息安全风险", "合规经营与监管要求"),
        lessons=(
            Lesson(
                "attendance",
                "考勤与请假",
                8,
                "工作时间、打卡与请假的办理方式。",
                h2("考勤")
                + p(
                    "按时上下班，并在考勤系统打卡。外出拜访客户、参加面授培训等公务外出，"
                    "应提前在系统登记行程，回到公司后补充结果。",
                    "因事请假须提前在系统提交申请，经直属上级审批后生效；"
                    "病假请在当天告知直属上级，并在返岗后补交证明。",
                ),
                ("按时打卡", "请假先申请、后休假", "公务外出提前登记"),
            ),
            Lesson(
                "confidentiality",
                "保密：公司与客户的信息",
                10,
                "哪些信息需要保密，如何防范信息安全风险。",
                h2("严守公司与客户的秘密")
                + p(
                    "客户的身份、资产、借款和还款信息，公司的产品方案、风控模型和合同，都属于保密信息。"
                    "客户资料只在工作需要时收集并录入系统，不得拷贝到个人设备或网盘，不得在公共场合讨论。",
                    "互联网金融面临计算机网络系统的缺陷、虚假账号、手机木马、电脑黑客、钓鱼网站等风险。"
                    "收到可疑链接或索要密码的消息，不要点击，立即报告技术组。",
                ),
                ("客户资料只进系统，不进个人设备", "不在公共场合谈论客户", "可疑链接立即上报"),
            ),
            Lesson(
                "compliance",
                "合规经营与监管要求",
                10,
                "P2P监管的方向，以及我们为什么不碰资金池。",
                h2("回归信息中介")
                + p(
                    "政府确定由银监会对P2P网络借贷平台实施监管。监管层希望P2P行业继续充当银行业的补充，"
                    "回归到信息中介层面：平台撮合借入方与借出方，不接触资金，引入第三方机构对出借人的资金进行托管，"
                    "大额自融不被允许。",
                    "没有资金托管、把资金随时调走、用高息不断吸金“拆东墙补西墙”的做法，就是庞氏骗局。"
                    "我们的每一份合同都要经过法务部审核，合同章的使用由法务部管理和检查。",
                ),
                ("平台不碰资金池", "资金由第三方托管", "合同须经法务审核"),
            ),
        ),
        questions=(
            single(
                "因事请假应该如何办理？",
                ("提前在系统提交申请，经直属上级审批", True),
                ("事后口头告诉同事即可", False),
                ("不需要申请", False),
                explanation="请假先申请、后休假：提前在系统提交，直属上级审批后生效。",
            ),
            multiple(
                "以下哪些属于信息安全风险？",
                ("手机木马", True),
                ("钓鱼网站", True),
                ("虚假账号", True),
                ("按时打卡", False),
                explanation="网络系统缺陷、虚假账号、手机木马、电脑黑客、钓鱼网站都会带来信息安全风险。",
            ),
            true_false(
                "监管要求P2P平台回归信息中介，平台不应自行归集出借人的资金。",
                True,
                "平台撮合借贷双方，不接触资金，出借人资金由第三方托管。",
            ),
            true_false(
                "为了加班方便，可以把客户资料拷贝到个人网盘带回家处理。",
                False,
                "客户资料只在系统中处理，不得拷贝到个人设备或网盘。",
            ),
            single(
                "合同章的使用由哪个部门管理和检查？",
                ("法务部", True),
                ("客服部", False),
                ("市场拓展部", False),
                explanation="法务部负责对法人授权、合同章使用工作进行管理及检查。",
            ),
        ),
        quiz_title="管理制度测验",
    ),
    Course(
        slug="fintech-basics",
        title="互联网金融基础（P2P、征信、风险控制）",
        summary="互联网金融的两种理解、P2P网络借贷的模式与监管、征信与风险控制的基本方法。",
        audience="全体新员工；业务部门（市场、风控、资产保全、客服）的新员工必修。",
        topics=(
            "互联网金融与金融互联网",
            "P2P网络借贷与监管",
            "征信与大数据风控",
            "识别高风险项目",
        ),
        lessons=(
            Lesson(
                "what-is-fintech",
                "什么是互联网金融",
                10,
                "关于互联网金融的两种说法，以及第三方支付带来的变化。",
                h2("两种理解")
                + p(
                    "一种说法认为，任何涉及广义金融的互联网应用都是互联网金融，既包括银行把互联网作为新的业务渠道，"
                    "也包括互联网企业提供的各种金融服务。另一种说法认为，只有互联网企业介入金融领域才算互联网金融，"
                    "银行的网上银行、电子银行属于“金融互联网”，即传统金融服务的网络化。",
                    "更合理的看法是把互联网金融看作互联网与金融的深度融合：金融机构是金融体系的主体，"
                    "把它们排除在外是不现实的。",
                )
                + h2("第三方支付")
                + p(
                    "以支付宝、财付通为代表的第三方支付迅速崛起，正在改变用户实现支付的入口，"
                    "并延伸到水电燃气缴费、信用卡还款、代缴交通罚款等传统领域。"
                ),
                (
                    "互联网与金融的深度融合",
                    "金融互联网：传统金融的网络化",
                    "第三方支付改变了支付入口",
                ),
            ),
            Lesson(
                "p2p-lending",
                "P2P网络借贷",
                12,
                "P2P的模式、监管方向，以及平台面临的三类风险。",
                h2("P2P是什么")
                + p(
                    "P2P网络借贷让个人之间通过平台直接完成借贷。以人人贷为例，它把目标客户定义为工薪阶层和个体商户："
                    "这些客户大多没有抵押品，借款额度在1万到10万元以内，难以凭个人信用获得银行资金。",
                )
                + h2("监管")
                + p(
                    "P2P行业归由银监会监管，讨论的内容包括行业准入、登记制还是牌照制、资金托管方式等。"
                    "由于行业自律缺乏和监管缺失，曾出现平台跑路、倒闭，投资者资金打水漂的情况。"
                )
                + h2("三类风险")
                + ul(
                    "<b>道德风险</b>：需要完善的流程和制度来约束，杜绝平台自己制造项目“自融”。",
                    "<b>信用管理风险</b>：小额分散投资；风控重点放在线下尽职调查。",
                    "<b>资产管理风险</b>：借出后对借入方进行实时跟踪监管。",
                ),
                ("P2P回归信息中介", "道德、信用管理、资产管理三类风险", "线下尽职调查不可省"),
            ),
            Lesson(
                "credit-and-risk",
                "征信与风险控制",
                12,
                "征信系统、大数据风控，以及如何识别过高的收益承诺。",
                h2("征信")
                + p(
                    "2015年，央行征信中心通过下属上海资信有限公司建成网络金融征信系统，帮助P2P网贷公司实现信贷信息共享、"
                    "防范信用风险。",
                    "大数据风控把客户在电子商务平台上的交易和行为数据映射为信用评价，据此发放小额贷款；"
                    "银行则还有完善的线下信贷信用资料可以参考。",
                )
                + h2("看到高收益先想风险")
                + p(
                    "行业收益与借款人承诺的利率水平是判断项目的重要因素：利率达到20%以上，出借人就要小心。"
                    "用超高收益吸引资金、资金随时被调走的，极可能是庞氏骗局。"
                ),
                ("网络金融征信系统实现信息共享", "行为数据可以变成信用评价", "利率20%以上要警惕"),
            ),
        ),
        questions=(
            single(
                "P2P监管的基本方向是让平台回归什么角色？",
                ("信息中介", True),
                ("资金池", False),
                ("担保机构", False),
                ("商业银行", False),
                explanation="监管层希望P2P回归信息中介，平台不接触资金。",
                topic="P2P网络借贷与监管",
            ),
            multiple(
                "P2P平台面临的主要风险包括哪些？",
                ("道德风险", True),
                ("信用管理风险", True),
                ("资产管理风险", True),
                ("汇率风险", False),
                explanation="当前P2P平台风险主要有道德风险、信用管理风险、资产管理风险。",
                topic="P2P网络借贷与监管",
            ),
            true_false(
                "2015年，央行征信中心通过上海资信有限公司建成了网络金融征信系统。",
                True,
                "这一系统帮助P2P网贷公司实现信贷信息共享、防范信用风险。",
                topic="征信与大数据风控",
            ),
            single(
                "一个项目承诺年化收益超过20%，出借人应该怎么做？",
                ("提高警惕，仔细判断借款人和平台", True),
                ("立即全部投入", False),
                ("推荐给亲友一起投", False),
                explanation="利率很高、达到20%以上时要小心，超高收益可能是庞氏骗局。",
                topic="识别高风险项目",
            ),
            single(
                "在征信数据不完善的情况下，P2P风控的重点应放在哪里？",
                ("线下尽职调查", True),
                ("只看线上申请表", False),
                ("只看借款人的口头承诺", False),
                explanation="风控重点还是要放在线下做，线下尽职调查不能全部转移到线上。",
                topic="征信与大数据风控",
            ),
            true_false(
                "按照一种说法，银行推出的网上银行属于“金融互联网”，即传统金融服务的网络化。",
                True,
                "另一种说法只把互联网企业介入金融的业务称为互联网金融。",
            ),
        ),
        quiz_title="互联网金融基础测验",
    ),
    Course(
        slug="product-manager",
        title="产品经理岗位职责与工作方法",
        summary="互联网金融产品经理做什么、怎么做：从需求文档到项目推进，以及金融产品为什么不能“先上线再说”。",
        audience="产品研发部新入职的产品经理；与产品经理协作的技术、运营、设计同事也可选学。",
        topics=("产品经理的职责", "互联网与金融的节奏差异", "原型与需求文档", "项目推进与竞品分析"),
        lessons=(
            Lesson(
                "pm-duties",
                "产品经理做什么",
                10,
                "互联网金融产品经理的四项职责。",
                h2("岗位职责")
                + ul(
                    "在公司运营战略指导下，整体研究、策划、设计和完善公司的各个产品、产品线或解决方案。",
                    "综合各方面产品需求和技术平台，撰写产品的原型设计、产品需求书，详细阐述产品功能和操作流程。",
                    "与技术、运营等部门对接，驱动项目的开发进度，把控项目进度节点。",
                    "收集整理竞争产品、行业产品和行业相关信息并深度分析，定期向上级提供产品工作报告。",
                ),
                ("研究、策划、设计、完善产品", "写清楚原型和需求", "定期提交产品工作报告"),
            ),
            Lesson(
                "pace-of-finance",
                "互联网节奏与金融节奏",
                10,
                "为什么金融产品没有 beta 版。",
                h2("节奏上不匹配")
                + p(
                    "互联网行业节奏太快，金融创新却要让步于风险防控。一款产品上线前发现瑕疵，"
                    "互联网产品经理99%会选择上线，把问题留到下一个迭代；而金融产品上市前发现新的风险点，"
                    "100%不会上市——金融业里没有 beta 版可以玩。",
                )
                + h2("服务理念不同")
                + p(
                    "金融行业属于服务行业。互联网便捷而草根，金融则更讲究客户关怀，线下比线上更体贴人。"
                    "互联网金融需要的，是能同时理解两个行业商业逻辑、并让两者和谐统一的人。"
                ),
                ("风险点未解决，产品不上市", "同时理解互联网与金融的逻辑"),
            ),
            Lesson(
                "requirements-and-delivery",
                "需求文档与项目推进",
                12,
                "把需求写清楚，把进度管起来。",
                h2("从需求到上线")
                + p(
                    "产品需求书要详细阐述产品功能和操作流程，保证产品功能的实现以及按时推向市场。"
                    "熟练使用产品设计工具，撰写设计文档、设计页面原型，是这个岗位的基本功。",
                    "关注同行业互联网产品，对新鲜事物保持好奇心与敏感度，善于思考和总结；"
                    "同时要善于团队合作，与技术、运营、设计一起把控每个进度节点。",
                ),
                ("功能和流程写进需求书", "把控进度节点", "持续关注竞品"),
            ),
        ),
        questions=(
            single(
                "一款金融产品上市前发现了新的风险点，正确的做法是？",
                ("暂停上市，先把风险处理好", True),
                ("先上线，下个版本再修", False),
                ("不告诉任何人", False),
                explanation="金融创新要让步于风险防控，金融业里没有 beta 版。",
            ),
            multiple(
                "产品经理的职责包括哪些？",
                ("撰写原型设计和产品需求书", True),
                ("驱动项目的开发进度", True),
                ("竞争产品和行业信息分析", True),
                ("电话催收逾期客户", False),
                explanation="电话催收是资产保全部的工作。",
            ),
            true_false(
                "互联网金融需要能同时理解互联网和金融两个行业商业逻辑的人。",
                True,
                "最大的挑战在于两种商业逻辑的融合。",
            ),
            single(
                "产品经理应定期向上级提供什么？",
                ("公司产品相关的工作报告", True),
                ("考勤记录", False),
                ("客户投诉录音", False),
            ),
            true_false(
                "金融产品也可以像互联网产品一样先发布 beta 版让用户试错。",
                False,
                "金融产品发现风险点就不会上市。",
            ),
        ),
        visibility="path",
        quiz_title="产品经理岗位测验",
    ),
    Course(
        slug="customer-manager",
        title="客户经理：客户开发与维护",
        summary="客户经理的职责、开发新客户的方法、倾听与接待的细节，以及贷后管理中的风险意识。",
        audience="市场拓展部新入职的客户经理和市场拓展专员。",
        topics=("客户经理的职责", "开发新客户", "倾听与接待", "贷后管理与风险意识"),
        lessons=(
            Lesson(
                "cm-duties",
                "客户经理的职责",
                10,
                "从营销到贷后，客户经理要做的事。",
                h2("岗位职责")
                + ul(
                    "宣传、销售公司产品，进行客户调研，寻找开发潜在客户。",
                    "受理客户授信申请，对客户基本条件进行初步审核。",
                    "开展贷前调查、分析，独立完成授信调查报告，并对报告内容的真实性负责。",
                    "负责客户的日常管理，及时了解并反馈客户需求，提供产品介绍和金融服务。",
                    "开展贷后管理工作，对客户进行不定期查访，防范、控制和化解业务风险。",
                    "协助做好逾期贷款本息的催收工作；维护客户关系，建立客户档案，定期联络并推荐新产品。",
                ),
                ("授信调查报告独立完成、对真实性负责", "贷后也要查访客户"),
            ),
            Lesson(
                "finding-customers",
                "开发新客户",
                12,
                "市场调研、识别需求，以及开发客户的常用方法。",
                h2("客户经理的几个角色")
                + p(
                    "客户经理是“市场信息员”，掌握辖区客户结构、确定目标市场；是客户需求的“采购员”，"
                    "在各种信息中识别有效、真实的需求；也是产品的“导购员”，把多种金融产品组合成满足客户需求的方案。"
                )
                + h2("开发客户的方法")
                + ul("熟人法", "走出去拜访", "以客户吸引客户", "信息反馈法", "用真情打动客户")
                + p(
                    "一位证券公司新手客户经理，看到客户和朋友只能站在嘈杂的走廊谈事，便请他们到空着的会客室并沏了茶。"
                    "看似与业务无关的小事，让其中一位朋友当场决定在她的营业部开户——这就是为客户提供“附加价值”服务。"
                ),
                ("先识别真实需求，再推荐产品", "细节里的附加价值服务"),
            ),
            Lesson(
                "listening",
                "倾听与接待",
                10,
                "两个案例：没听完客户的话，和不得体的接待。",
                h2("倾听")
                + p(
                    "推销大师乔·吉拉德在一次快要签约的洽谈中被客户拒绝。客户后来告诉他：“我提到儿子即将上大学，"
                    "你却没有任何反应，还转过头去打电话。”领悟倾听的重要性，积极地倾听，避免错误的倾听方法。"
                )
                + h2("接待")
                + p(
                    "一位客户按约定来谈合作，前台的大堂客户经理却在打私人电话，让他在沙发上干等，"
                    "却马上接待了说本地方言的访客。客户眼里，一个员工就是公司的一面镜子：礼貌的问候、谦恭的态度、"
                    "高效的办事，都代表公司的形象。"
                ),
                ("积极地倾听", "接待代表公司形象", "对每位客户一视同仁"),
            ),
            Lesson(
                "after-the-loan",
                "贷后管理与风险意识",
                8,
                "从一笔失败的纺织企业贷款，看贷后管理的重要性。",
                h2("案例")
                + p(
                    "一家纺织企业原材料和用工成本上涨、出口退税政策变化，利润被严重压缩，最终资金链断裂停产，"
                    "贷款全部成为不良。原因之一是贷款行贷前对企业经营状况掌握不全面，贷后检查不到位，"
                    "信贷人员缺乏持续跟踪。"
                )
                + h2("客户经理能做什么")
                + ul(
                    "不定期查访客户，监控授信业务用途，完成查访报告和监控报告。",
                    "关注客户所在行业和国家政策的变化，发现风险及时预警。",
                    "发现问题及时补救，最大限度减少损失。",
                ),
                ("贷后检查要落到实处", "关注行业与政策变化"),
            ),
        ),
        questions=(
            single(
                "授信调查报告由谁独立完成并对内容的真实性负责？",
                ("客户经理", True),
                ("客服专员", False),
                ("出纳", False),
                explanation="客户经理开展贷前调查、分析，独立完成授信调查报告，并对报告内容的真实性负责。",
            ),
            multiple(
                "开发新客户的常用方法有哪些？",
                ("熟人法", True),
                ("走出去拜访", True),
                ("以客户吸引客户", True),
                ("夸大宣传高收益", False),
                explanation="熟人法、走出去拜访、以客户吸引客户、信息反馈法、用真情打动客户都是常用方法。",
            ),
            single(
                "乔·吉拉德的客户在签约前改变主意，主要原因是什么？",
                ("他没有认真倾听客户", True),
                ("价格太高", False),
                ("产品质量不好", False),
                explanation="客户谈起儿子时他没有任何反应，还转头打电话——倾听非常重要。",
            ),
            true_false(
                "为客户提供看似与业务无关的贴心服务，也可能赢得新客户。",
                True,
                "这是为客户提供“附加价值”服务。",
            ),
            single(
                "贷后管理中，客户经理应该怎么做？",
                ("不定期查访客户并监控授信用途", True),
                ("放款后就不再联系客户", False),
                ("只在客户逾期后再联系", False),
            ),
            true_false(
                "在客户眼里，接待他的员工代表了公司的形象。",
                True,
                "一个员工就是公司的一面镜子。",
            ),
        ),
        quiz_title="客户经理岗位测验",
    ),
    Course(
        slug="risk-control",
        title="风险控制入门",
        summary="风险控制部的职责，贷前、贷中、贷后的风险管理，以及从三个真实案例中学到的教训。",
        audience="风险控制部（征信审核组、贷后管理组）新员工；客户经理和产品经理建议学习。",
        topics=(
            "风险控制部的职责",
            "贷前、贷中、贷后",
            "风险类型：道德、市场、行业与政策",
            "从案例中学习",
        ),
        lessons=(
            Lesson(
                "risk-duties",
                "风险控制部做什么",
                10,
                "风控系统、风险审查、风险评估和风险评价报告。",
                h2("部门职责")
                + ul(
                    "建立风控系统，拟定风险管理流程和风险管理制度，设计风险管理岗位的工作指引和运作流程。",
                    "对各类贷款项目进行实质风险审查，与业务团队经理沟通，充分了解项目风险情况。",
                    "负责公司项目的风险评估，并执行相关风险评估程序，建立企业风险数据库和跟踪档案。",
                    "撰写风险评价报告，对可能出现的风险点进行风险提示，出具风控建议与风险程度。",
                ),
                ("实质风险审查", "风险评价报告", "风险数据库和跟踪档案"),
            ),
            Lesson(
                "loan-lifecycle",
                "贷前、贷中、贷后",
                12,
                "贷审会，以及贷款生命周期中每个阶段的风险管理。",
                h2("贷审会")
                + p(
                    "风险控制部负责组织贷审会，为贷前审核准备材料。征信审核组对贷款项目和借款人进行贷前风险审查和征信审核，"
                    "执行风险评估程序，出具风控建议。"
                )
                + h2("全过程管理")
                + ul(
                    "<b>贷前</b>：尽职调查，杜绝虚假借款人和无还款能力的借款人。",
                    "<b>贷中</b>：风险控制，监控资金用途。",
                    "<b>贷后</b>：跟踪管理，出具风险预警提示和风险评估报告，把风险控制在最低。",
                ),
                ("贷审会把好入口", "三查落到实处", "贷后出具风险预警"),
            ),
            Lesson(
                "cases",
                "从案例看风险",
                12,
                "三笔失败的贷款，三种风险。",
                h2("三个案例")
                + ul(
                    "<b>纺织企业</b>：成本上涨、出口退税政策变化、资金链断裂——企业内部风险、行业风险和政策风险。",
                    "<b>托普集团</b>：利用子公司为母公司频繁担保贷款，套取银行资金——道德风险。",
                    "<b>房地产开发公司</b>：项目影响周边居民被迫停工，贷款多次催收未能收回——市场风险。",
                )
                + h2("教训")
                + p(
                    "三查工作要落到实处；及时了解国家政策和行业发展情况；严格按照担保法办理担保，找有实力的企业担保；"
                    "检查中发现问题及时补救，最大限度避免或减少损失。"
                ),
                ("识别风险类型", "担保要找有实力的企业", "发现问题及时补救"),
            ),
        ),
        questions=(
            single(
                "利用子公司为母公司频繁担保贷款、套取银行资金，属于哪类风险？",
                ("道德风险", True),
                ("汇率风险", False),
                ("技术风险", False),
                explanation="托普集团案例的主要风险类型是道德风险。",
                topic="风险类型：道德、市场、行业与政策",
            ),
            multiple(
                "风险控制部的工作包括哪些？",
                ("组织贷审会", True),
                ("撰写风险评价报告", True),
                ("贷后跟踪管理", True),
                ("开具发票", False),
                explanation="开具发票是财务部会计的工作。",
                topic="风险控制部的职责",
            ),
            true_false(
                "贷款发放以后，就不需要再跟踪企业的经营情况了。",
                False,
                "纺织企业案例中，贷后检查不到位是贷款失败的原因之一。",
                topic="贷前、贷中、贷后",
            ),
            single(
                "“三查”指的是什么？",
                ("贷前调查、贷时审查、贷后检查", True),
                ("查户口、查手机、查邮箱", False),
                ("查考勤、查加班、查请假", False),
                topic="贷前、贷中、贷后",
            ),
            true_false(
                "及时了解国家政策和行业发展情况，有助于防范贷款风险。",
                True,
                "政策和行业变化是纺织企业贷款失败的重要原因。",
                topic="风险类型：道德、市场、行业与政策",
            ),
        ),
        quiz_title="风险控制入门测验",
    ),
    Course(
        slug="collection-compliance",
        title="催收合规与资产保全",
        summary="资产保全部的职责、前中后期的催收策略，以及合规催收不可逾越的底线。",
        audience="资产保全部催收专员，以及风险控制部贷后管理组的新员工。",
        topics=("资产保全部的职责", "前、中、后期催收策略", "逾期客户分析", "合规催收的底线"),
        lessons=(
            Lesson(
                "collection-duties",
                "资产保全部的工作",
                10,
                "催收任务、催收目标和催收记录。",
                h2("部门职责")
                + ul(
                    "根据上级分配的催收任务开展工作，根据每月的工作目标，达成电话催收目标。",
                    "根据逾期情况，制定催收策略、目标及实施。",
                    "对任务内的逾期客户进行电话催收，引导客户正确还款意识，发现异常高风险客户及时上报。",
                    "如实记录催收结果，维护催收资料的收集整理，做好贷后管理工作。",
                ),
                ("引导客户正确还款意识", "高风险客户及时上报", "如实记录每一次催收"),
            ),
            Lesson(
                "strategies",
                "前、中、后期催收策略",
                12,
                "按逾期阶段选择手段，并对逾期客户群体进行分析。",
                h2("分阶段催收")
                + p(
                    "按照前/中/后期的催收策略，对逾期的客户利用电话、短信手段进行催收；"
                    "对逾期账户进行专业管理，根据客户实际要求做相应业务处理，及时反馈问题。"
                    "协商无果时，依法通过法律途径解决，例如向法院申请支付令。"
                )
                + h2("群体分析")
                + p(
                    "对逾期客户群体进行系统分析，寻求地域、贷款类别及所处行业的共性，并提出应对策略。"
                ),
                ("电话、短信分阶段催收", "必要时走法律途径", "分析地域、贷款类别、行业"),
            ),
            Lesson(
                "compliance-lines",
                "合规催收的底线",
                10,
                "哪些事情无论如何都不能做。",
                h2("底线")
                + ul(
                    "不威胁、不恐吓、不辱骂，不冒充司法机关或政府工作人员。",
                    "不向与债务无关的第三人（亲友、邻居、同事）透露客户的欠款信息。",
                    "在合理的时间联系客户，不频繁骚扰。",
                    "客户信息只用于催收，不外传、不留存到个人设备。",
                    "如实记录催收过程和结果，通话按规定录音。",
                )
                + p(
                    "合规不只是法务部的事：每一通催收电话都代表公司，也关系到公司能否在监管下长久经营。"
                ),
                ("不威胁、不骚扰", "不向无关第三人透露债务", "如实记录、按规定录音"),
            ),
        ),
        questions=(
            single(
                "催收中发现异常高风险客户，应该怎么做？",
                ("及时上报", True),
                ("自行处理，不用汇报", False),
                ("先放着不管", False),
                explanation="对任务内的逾期客户，发现有异常高风险客户要及时上报。",
            ),
            multiple(
                "以下哪些是合规的催收手段？",
                ("电话提醒", True),
                ("短信提醒", True),
                ("依法向法院申请支付令", True),
                ("威胁恐吓", False),
                explanation="威胁、恐吓任何时候都是违规的。",
            ),
            true_false(
                "催收结果可以凭印象事后补记。",
                False,
                "要如实记录催收结果，维护好催收资料。",
            ),
            single(
                "对逾期客户群体进行系统分析时，应寻找哪些共性？",
                ("地域、贷款类别和所处行业", True),
                ("星座和血型", False),
                ("兴趣爱好", False),
            ),
            true_false(
                "可以把借款人的欠款情况告诉与债务无关的邻居，以施加压力。",
                False,
                "不得向与债务无关的第三人透露客户的欠款信息。",
            ),
        ),
        visibility="groups",
        group="资产保全与贷后管理",
        group_departments=("collection", "risk-post-loan"),
        quiz_title="催收合规测验",
    ),
    Course(
        slug="customer-service",
        title="客服沟通与投诉处理",
        summary="客服部的职责、与客户沟通的基本功，以及投诉从受理到跟踪解决的流程。",
        audience="客服部新入职的客服专员和理财顾问。",
        topics=("客服部的职责", "沟通与服务意识", "投诉处理流程", "回访与客户关系"),
        lessons=(
            Lesson(
                "service-duties",
                "客服部的职责",
                8,
                "开户交易、热线咨询、信息传达与资料录入。",
                h2("部门职责")
                + ul(
                    "负责平台线上投融资客户的开户、交易等业务办理。",
                    "负责在线咨询和400免费热线的业务咨询和回复，并做好记录登记。",
                    "通过短信、邮件、电话等形式向客户进行信息传达。",
                    "负责客户资料的收集和系统录入，分析数据，提炼客户需求。",
                    "配合风控人员做好贷前、贷中、贷后工作。",
                ),
                ("每一次咨询都要记录登记", "资料及时录入系统"),
            ),
            Lesson(
                "communication",
                "沟通与服务意识",
                10,
                "金融是服务行业：热情、耐心、一视同仁。",
                h2("服务理念")
                + p(
                    "金融行业属于服务行业。互联网是便捷的，但线下的体贴和热情是改不了的：客户打来热线，"
                    "希望听到的是耐心的倾听和清楚的回答。",
                    "定期跟踪所服务的客户，了解客户的需求，建立深层次的客户关系；"
                    "建立并优化服务准则，全方位提高客户服务质量。",
                ),
                ("先倾听，再回答", "定期回访", "对每位客户一视同仁"),
            ),
            Lesson(
                "complaints",
                "投诉处理流程",
                10,
                "受理、处理、升级、跟踪、复盘。",
                h2("流程")
                + ul(
                    "<b>受理</b>：记录客户的问题和诉求，安抚情绪，不推诿。",
                    "<b>处理</b>：能解决的当场解决，告知客户处理进展。",
                    "<b>升级</b>：不能解决的问题按照流程提交相关人员或主管处理。",
                    "<b>跟踪</b>：跟踪进展直至解决，并向客户反馈结果。",
                    "<b>复盘</b>：分析投诉案例，向公司提出改进意见，杜绝类似问题再次出现。",
                )
                + p("搜集客户的意见和建议，及时汇报公司，必要时与相关部门沟通。"),
                ("不能解决的按流程升级", "跟踪直至解决", "复盘杜绝同类问题"),
            ),
        ),
        questions=(
            single(
                "遇到自己不能解决的客户问题，应该怎么做？",
                ("按流程提交相关人员或主管处理，并跟踪直至解决", True),
                ("告诉客户这个问题没法处理", False),
                ("直接挂断电话", False),
                explanation="不能解决的问题按照流程提交相关人员或主管处理，并跟踪进展直至解决。",
            ),
            true_false(
                "客服只需要回答客户的问题，不需要做记录登记。",
                False,
                "在线咨询和400热线的咨询都要做好记录登记。",
            ),
            multiple(
                "客服向客户传达信息的正式方式包括哪些？",
                ("短信", True),
                ("邮件", True),
                ("电话", True),
                ("用私人社交账号随意添加客户", False),
            ),
            single(
                "处理完投诉后，分析投诉案例的目的是什么？",
                ("提出改进意见，杜绝类似问题", True),
                ("追究客户的责任", False),
                ("存档备查即可", False),
            ),
            true_false(
                "定期跟踪服务过的客户、了解他们的需求，有助于建立深层次的客户关系。",
                True,
            ),
        ),
        quiz_title="客服沟通测验",
    ),
)

CONFIDENTIALITY_PLEDGE = """员工保密承诺书（示例）

本人承诺：
一、严守公司与客户的秘密，客户的身份、资产、借款和还款信息只用于工作需要。
二、客户资料只在公司系统中收集、录入和处理，不拷贝到个人设备或网盘。
三、不在公共场合讨论客户和公司的保密信息。
四、收到可疑链接、索要密码或验证码的消息，不点击、不回复，立即报告技术组。
五、离职时交还全部工作资料，离职后继续履行保密义务。

承诺人：__________    日期：__________
"""
