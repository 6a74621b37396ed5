"""Provinces, districts and towns of the region, so that an item naming only "Batken", "Khatlon" or "新疆" gets
its country. Kept apart from gazetteer_region.py, which holds the countries' own names, to keep both short.

The tables have the same form as there: PROVINCE_NAMES match like PLACE_NAMES (English stems and Russian word
forms, "~" a lower-case Russian adjective such as "~баткенский" for "в Баткенской области"); PROVINCE_REGION
like REGION_NAMES (Kazakh, Kyrgyz, Uzbek, Tajik, Turkmen, Mongolian: prefixes of five letters or more, so that
case endings follow); ZH_PROVINCES are Chinese substrings.

Ambiguous names are left out or guarded by a word: "Mary" only as "Mary province/region/velayat", "Balkan" as
"Balkan velayat", plain "Altai" nowhere (Russia, Mongolia, China and Kazakhstan share it) but "Altai Krai" in
Russia and "Govi-Altai" in Mongolia; plain "Badakhshan" nowhere, "Gorno-Badakhshan"/"GBAO" in Tajikistan and
"Badakhshan province" in Afghanistan; "Zaisan" (Kazakh town, Ulaanbaatar hill) and "Dadu" (Sindh town,
Sichuan river) nowhere; "Дархан", also a Kazakh first name, stays whole (gazetteer_region.py), not a prefix
("Дарханұлы"); "Punjab", "Kashmir", "Khorasan", "Kurdistan" and "Syrdarya" only in forms that
name one country. Chinese two-character provinces that also read as "south bank of the river" (河南, 湖南,
河北, 湖北, 海南, 山西, 山东, 江西) need 省.
"""

from __future__ import annotations

PROVINCE_NAMES: dict[str, str] = {
    "KZ": "Zhetysu|Mangystau|Qaraghandy|Karagandy|Мангистау|Мангыстау|Jetisu|Ulytau|Abai region|Abay region|"
    "область Абай|области Абай|Mangistau|Taldykorgan|Ekibastuz|Zhezkazgan|Temirtau|"
    "Baikonur|Baykonur|Konaev|Qonaev|Kapchagay|Kapshagay|Zhanaozen|Uralsk|Petropavl|Balkhash|Saryagash|Kentau|"
    "Ridder|Kordai|Korday|Semipalatinsk|Stepnogorsk|Arkalyk|Kulsary|Zhanatas|Жетысу|Улытау|"
    "Талдыкорган|Экибастуз|Жезказган|Темиртау|Байконур|Конаев|Капчагай|Жанаозен|Балхаш|Сарыагаш|Кентау|Риддер|"
    "Кордай|Семипалатинск|Степногорск|Аркалык|Кульсары|Жанатас|~жетысуский|~улытауский|~абайский|"
    "~семипалатинский|~шымкентский|~таразский|~жезказганский|~экибастузский|~талдыкорганский|~мангыстауский|"
    "~астанинский|~кордайский|~байконурский",
    "KG": "Chuy|Dordoi|Dordoy|Дордой|Too-Ashuu|Тоо-Ашуу|Kara-Balta|Balykchy|Cholpon-Ata|Kyzyl-Kiya|Sulukta|"
    "Mailuu-Suu|Mailuu Suu|Kara-Suu|Aravan|Nookat|"
    "Kadamjai|Kadamjay|Leilek|Kerben|Tash-Kumyr|Toktogul|Kochkor|At-Bashi|Suusamyr|Kara-Kulja|Chatkal|Kemin|"
    "Jeti-Oguz|Alai district|Alay district|Aksy|Bazar-Korgon|Кара-Балта|Балыкчы|Чолпон-Ата|Кызыл-Кия|Сулюкта|"
    "Майлуу-Суу|Майли-Суу|Кара-Суу|Араван|Ноокат|Кадамжай|Лейлек|Кербен|Таш-Кумыр|Токтогул|Кочкор|Ат-Баши|"
    "Суусамыр|Кара-Кульджа|Чаткал|Кемин|Жети-Огуз|Базар-Коргон|~араванский|~ноокатский|~кадамжайский|"
    "~лейлекский|~аксыйский|~токтогульский|~кеминский|~алайский|~чаткальский|~кочкорский|~сокулукский|"
    "~аламединский|~ат-башинский|~жети-огузский|~базар-коргонский|~кара-сууйский",
    "TJ": "Gorno-Badakhshan|Kulyab|Kulob|Куляб|Anzob|Анзоб|Vakhsh|Вахш|Penjikent|Panjakent|GBAO|Nurek|Norak|"
    "Vahdat|Hisor|Gissar|Tursunzoda|Tursunzade|Danghara|Dangara|Farkhor|"
    "Konibodom|Kanibadam|Varzob|Rasht valley|Rasht district|Rudaki district|Vanj|Qurghonteppa|Kurgan-Tyube|"
    "Shahritus|Kabodiyon|Yovon|Spitamen|ГБАО|Нурек|Вахдат|Гиссар|Турсунзаде|Дангара|Фархор|Канибадам|Варзоб|"
    "Рашт|Курган-Тюбе|Шаартуз|Кабадиян|Яван|Ванч|Рушан|Пенджикент|Истаравшан|Исфара|~горно-бадахшанский|"
    "~варзобский|~вахдатский|~гиссарский|~раштский|~рудакийский|~кулябский|~бохтарский|~хорогский|~ванчский|"
    "~рушанский|~шугнанский|~исфаринский|~истаравшанский|~пенджикентский|~нурекский|~джиликульский|"
    "~худжандский|~душанбинский",
    "UZ": "Chirchik|Kokand|Margilan|Angren|Almalyk|Bekabad|Shahrisabz|Denau|Uchkuduk|Muynak|Moynaq|Khiva|Sardoba|"
    "Syrdarya region|Sirdaryo region|Kattakurgan|Urgut|Chust|Yangiyer|Kuvasay|Gijduvan|Коканд|Маргилан|Ангрен|"
    "Алмалык|Бекабад|Шахрисабз|Денау|Учкудук|Муйнак|Хива|Сардоба|Каттакурган|Ургут|Чуст|Янгиер|Кувасай|"
    "Сырдарьинская область|~каракалпакский|~джизакский|~навоийский|~кокандский|~ангренский|~алмалыкский|"
    "~хивинский|~нукусский|~ургенчский|~чирчикский|~маргиланский|~термезский|~сардобинский",
    "TM": "Ahal|Balkan province|Balkan region|Balkan velayat|Balkan welayat|Lebap|Mary province|Mary region|"
    "Mary velayat|Mary welayat|Dashoguz region|Dashhowuz|Tejen|Bayramaly|Awaza|Avaza|Kerki|Gazojak|Arkadag|"
    "Magdanly|Ахал|Балканский велаят|Балканская область|Лебап|Мары|Дашховуз|Теджен|Байрамали|Аваза|Керки|"
    "Газоджак|Аркадаг|~ахалский|~лебапский|~марыйский|~дашогузский",
    "MN": "Khovd|Hovd|Uvs|Bayan-Ölgii|Bayan-Olgii|Bayan-Ulgii|Arkhangai|Bayankhongor|Bulgan|Govi-Altai|"
    "Gobi-Altai|Dornod|Dornogovi|Dundgovi|Zavkhan|Orkhon|Övörkhangai|Uvurkhangai|Ömnögovi|Umnugovi|South Gobi|"
    "Selenge|Tuv province|Töv province|Tuv aimag|Töv aimag|Khövsgöl|Khuvsgul|Khovsgol|Khentii|"
    "Sukhbaatar province|Sükhbaatar province|Sukhbaatar aimag|Choibalsan|Sainshand|Dalanzadgad|Ulaangom|Ölgii|"
    "Olgii|Oyu Tolgoi|Tavan Tolgoi|Gashuunsukhait|Архангай|Баян-Улгий|Баян-Өлгий|Баянхонгор|Булган|Гоби-Алтай|"
    "Говь-Алтай|Дорнод|Дундговь|Завхан|Орхон|Уверхангай|Умнеговь|Южно-Гобийский|Восточно-Гобийский|"
    "Селенгинский аймак|Центральный аймак|Убсунур|Увс|Ховд|Кобдо|Хубсугул|Хэнтий|Хэнтэй|Сухэ-Батор|Чойбалсан|"
    "Сайншанд|Даланзадгад|Улаангом|Улгий|Оюу Толгой|Таван Толгой|Гашуун-Сухайт|Замын-Ууд",
    "AF": "Badakhshan province|Нангархар|province of Badakhshan|Badghis|Baghlan|Bamiyan|Bamyan|Daykundi|"
    "Farah province|"
    "Faryab|Ghazni|Ghor province|Helmand|Jowzjan|Jawzjan|Kapisa|Khost|Kunar|Laghman|Logar|Nimroz|Nimruz|Nuristan|"
    "Paktia|Paktika|Panjshir|Parwan|Samangan|Sar-e Pol|Sar-i-Pul|Takhar|Uruzgan|Wardak|Zabul|Jalalabad|"
    "Lashkar Gah|Pul-e-Khumri|Sheberghan|Maimana|Hairatan|Spin Boldak|Islam Qala|Bagram|провинция Бадахшан|"
    "Бадгис|Баглан|Бамиан|Бамиян|Фарьяб|Газни|Гильменд|Гельменд|Джаузджан|Кунар|Лагман|Логар|Нимроз|Нуристан|"
    "Пактия|Пактика|Панджшер|Парван|Саманган|Тахар|Урузган|Вардак|Забуль|Джелалабад|Хайратан|Баграм|"
    "провинция Хост",
    "PK": "Baluchistan|Gilgit-Baltistan|Azad Kashmir|Azad Jammu and Kashmir|Rawalpindi|Faisalabad|Multan|Sukkur|"
    "Larkana|Dera Ismail Khan|Bannu|Swat valley|Swat district|Chitral|Abbottabad|Mardan|Gwadar|Turbat|Chaman|"
    "Skardu|Hunza|Muzaffarabad|Mingora|Jacobabad|Thatta|Sialkot|Gujranwala|Nowshera|Kohat|Khuzdar|"
    "Tharparkar|Bajaur|Waziristan|Равалпинди|Лахор|Фейсалабад|Мултан|Гвадар|Гилгит|Синд|Хайбер-Пахтунхва|"
    "Вазиристан|Читрал|Абботтабад|Скарду|~белуджский",
    "IR": "Razavi Khorasan|North Khorasan|South Khorasan|Khuzestan|East Azerbaijan|West Azerbaijan|Ardabil|Gilan|"
    "Mazandaran|Golestan|Kermanshah|Kurdistan province|Lorestan|Hamadan|Kerman|Yazd|Semnan|Qom|Markazi|Qazvin|"
    "Zanjan|Alborz|Bushehr|Hormozgan|Sistan and Baluchestan|Sistan-Baluchestan|Sistan and Baluchistan|"
    "Sistan-Baluchistan|Ilam province|Kohgiluyeh|Chaharmahal|Fars province|Ahvaz|Karaj|Zahedan|Rasht|"
    "Bandar Abbas|Natanz|Fordow|Arak|Urmia|Zabol|Chabahar|Bandar Anzali|Qeshm|Хорасан-Резави|Северный Хорасан|"
    "Южный Хорасан|Хузестан|Восточный Азербайджан|Западный Азербайджан|Ардебиль|Гилян|Мазендеран|Голестан|"
    "Керманшах|Лурестан|Хамадан|Керман|Йезд|Семнан|Казвин|Зенджан|Бушер|Хормозган|Систан и Белуджистан|Ахваз|"
    "Карадж|Захедан|Решт|Бендер-Аббас|Натанз|Фордо|Урмия|Чабахар|Шираз|~бушерский|~исфаханский",
    "CN": "Tibet|Yili|Ili Kazakh|Tibet Autonomous Region|Xizang|Qinghai|Gansu|Inner Mongolia|Ningxia|Shaanxi|"
    "Shanxi|Hebei|Henan|"
    "Shandong|Jiangsu|Zhejiang|Fujian|Guangdong|Guangxi|Guizhou|Hunan|Hubei|Jiangxi|Anhui|Heilongjiang|Jilin|"
    "Liaoning|Hainan|Chongqing|Kunming|Lanzhou|Xining|Lhasa|Hohhot|Yinchuan|Shigatse|Yining|Ghulja|Hotan|Khotan|"
    "Karamay|Turpan|Hami|Korla|Alashankou|Erenhot|Erlian|Manzhouli|Wenchuan|Yushu|Garze|Jishishan|Tingri|Dingri|"
    "Uqturpan|Wushi county|Altay Prefecture|Tacheng|Ili Kazakh Autonomous Prefecture|Тибет|Цинхай|Ганьсу|"
    "Юньнань|Внутренняя Монголия|Нинся|Шэньси|Шаньси|Хэбэй|Хэнань|Шаньдун|Цзянсу|Чжэцзян|Фуцзянь|Гуандун|"
    "Гуанси|Гуйчжоу|Хунань|Хубэй|Цзянси|Аньхой|Хэйлунцзян|Цзилинь|Ляонин|Хайнань|Чунцин|Куньмин|Ланьчжоу|"
    "Синин|Лхаса|Хух-Хото|Иньчуань|Кульджа|Хотан|Карамай|Турфан|Хами|Корла|Алашанькоу|Эрлянь|Маньчжоули|"
    "Вэньчуань|Юйшу|~синьцзянский|~сычуаньский",
    "IN": "Kerala|Керала|Assam|Ассам|Uttarakhand|Уттаракханд|Himachal Pradesh|Odisha|Orissa|Gujarat|Гуджарат",
    "JP": "Kyushu|Кюсю|Hokkaido|Хоккайдо|Okinawa|Окинава|Fukushima|Фукусима|Noto peninsula|Noto Peninsula|"
    "Ishikawa prefecture",
    "RU": "Severo-Kurilsk|Sakhalin|Сахалин|Kamchatka|Камчатка|Северо-Курильск|Kuril Islands|"
    "Курильских островов|Курильские острова|Altai Krai|Altai Republic|Republic of Altai|Altai Territory|"
    "Gorno-Altaysk|Gorno-Altaisk|Barnaul|Tuva|"
    "Tyva|Zabaykalsky|Transbaikal|Chita|Ulan-Ude|Astrakhan|Volgograd|Saratov|Samara|Kurgan region|Tyumen|Orsk|"
    "Magnitogorsk|Nizhny Novgorod|Rostov-on-Don|Ufa|Bashkortostan|Krasnoyarsk|Perm|Voronezh|Krasnodar|Tomsk|"
    "Kemerovo|Kuzbass|Yakutia|Yakutsk|Sochi|Makhachkala|Petropavlovsk-Kamchatsky|Tatarstan|Республика Алтай|"
    "Горно-Алтайск|Барнаул|Тыва|Тува|Чита|Улан-Удэ|Астрахань|Волгоград|Саратов|Самара|Курган|Тюмень|Орск|"
    "Магнитогорск|Нижний Новгород|Ростов-на-Дону|Уфа|Башкирия|Башкортостан|Красноярск|Пермь|Воронеж|Краснодар|"
    "Томск|Кемерово|Кузбасс|Якутия|Якутск|Сочи|Махачкала|Петропавловск-Камчатский|Татарстан|~тувинский|"
    "~забайкальский|~астраханский|~волгоградский|~саратовский|~самарский|~курганский|~тюменский|~оренбургский|"
    "~челябинский|~омский|~новосибирский|~иркутский|~свердловский|~ростовский|~красноярский|~краснодарский|"
    "~томский|~кемеровский|~камчатский|~хабаровский|~приморский|~бурятский|~якутский",
}

PROVINCE_REGION: dict[str, str] = {
    "KZ": "Жетісу|Ұлытау|Маңғыстау|Ақмола|Абай облыс|Талдықорған|Екібастұз|Жезқазған|Теміртау|Байқоңыр|Қонаев|"
    "Жаңаөзен|Орал|Балқаш|Сарыағаш|Кентау|Риддер|Қордай|Тараз",
    "KG": "Кара-Балта|Балыкчы|Чолпон-Ата|Кызыл-Кыя|Сүлүктү|Майлуу-Суу|Кара-Суу|Араван|Ноокат|Кадамжай|Лейлек|"
    "Кербен|Таш-Көмүр|Токтогул|Кочкор|Ат-Башы|Суусамыр|Кара-Кулжа|Чаткал|Кемин|Жети-Өгүз|Аксы|Чүй облус|"
    "Ош облус|Баткен облус|Нарын облус|Талас облус",
    "TJ": "Норак|Ваҳдат|Ҳисор|Турсунзода|Данғара|Фархор|Конибодом|Исфара|Варзоб|ВМКБ|Кӯҳистони Бадахшон|Мурғоб|"
    "Рашт|Рӯшон|Ванҷ|Хатлон|Суғд",
    "UZ": "Qo'qon|Marg'ilon|Olmaliq|Angren|Bekobod|Shahrisabz|Denov|Uchquduq|Mo'ynoq|Xiva|Urganch|Qarshi|Sardoba|"
    "Sirdaryo viloyat|Nukus|Қўқон|Марғилон|Олмалиқ|Ангрен|Бекобод|Шаҳрисабз|Учқудуқ|Мўйноқ|Хива|Урганч|Қарши|"
    "Жиззах|Сирдарё вилоят|Хоразм|Нукус|Сардоба|Наманган вилоят|Андижон вилоят",
    "TM": "Ahal|Balkan welaýat|Daşoguz|Lebap|Mary welaýat|Türkmenabat|Türkmenbaşy|Balkanabat|Arkadag|Tejen|Baýramaly",
    "MN": "Архангай|Баян-Өлгий|Баянхонгор|Булган|Говь-Алтай|Говьсүмбэр|Дорнод|Дундговь|Завхан|Орхон|"
    "Өвөрхангай|Сэлэнгэ|Төв аймаг|Увс|Ховд|Хөвсгөл|Хэнтий|Чойбалсан|Эрдэнэт|Сайншанд|Даланзадгад|Улаангом|"
    "Өлгий|Оюу толгой|Таван толгой",
    "CN": "Құлжа|Үрімші|Шәуешек|Шинжаң|Shinjon|Шинжон|Өвөр Монгол",
    "RU": "Орынбор",
}

ZH_PROVINCES: dict[str, str] = {
    "西藏": "CN", "青海": "CN", "甘肃": "CN", "四川": "CN", "云南": "CN", "内蒙古": "CN", "宁夏": "CN",
    "陕西": "CN", "江苏": "CN", "浙江": "CN", "福建": "CN", "广东": "CN", "广西": "CN", "贵州": "CN",
    "安徽": "CN", "辽宁": "CN", "吉林": "CN", "重庆": "CN", "黑龙江": "CN", "河南省": "CN", "湖南省": "CN",
    "海南省": "CN", "河北省": "CN", "湖北省": "CN", "山西省": "CN", "山东省": "CN", "江西省": "CN",
    "成都": "CN", "昆明": "CN", "兰州": "CN", "西宁": "CN", "拉萨": "CN", "呼和浩特": "CN", "银川": "CN",
    "武汉": "CN", "广州": "CN", "深圳": "CN", "和田地区": "CN", "阿勒泰": "CN", "塔城": "CN", "克拉玛依": "CN",
    "吐鲁番": "CN", "哈密": "CN", "库尔勒": "CN", "阿拉山口": "CN", "二连浩特": "CN", "满洲里": "CN",
    "甘孜": "CN", "阿坝": "CN", "汶川": "CN", "玉树": "CN", "积石山": "CN", "定日县": "CN", "日喀则": "CN",
    "乌什县": "CN",
    "卡拉干达": "KZ", "奇姆肯特": "KZ", "阿克托别": "KZ", "阿特劳": "KZ", "阿克套": "KZ", "巴甫洛达尔": "KZ",
    "克孜勒奥尔达": "KZ", "塔拉兹": "KZ", "奥什": "KG", "巴特肯": "KG", "纳伦": "KG", "楚河州": "KG",
    "苦盏": "TJ", "索格特州": "TJ", "粟特州": "TJ", "哈特隆州": "TJ", "戈尔诺-巴达赫尚": "TJ",
    "纳曼干": "UZ", "安集延": "UZ", "费尔干纳州": "UZ", "布哈拉": "UZ", "卡拉卡尔帕克斯坦": "UZ", "努库斯": "UZ",
    "铁尔梅兹": "UZ", "希瓦": "UZ", "土库曼巴希": "TM", "达绍古兹": "TM", "马雷州": "TM", "列巴普": "TM",
    "阿哈尔州": "TM", "达尔汗": "MN", "额尔登特": "MN", "科布多": "MN", "乌布苏": "MN", "南戈壁省": "MN",
    "东戈壁省": "MN", "扎门乌德": "MN", "巴彦乌列盖": "MN", "库苏古尔": "MN", "乔巴山": "MN",
    "马扎里沙里夫": "AF", "昆都士": "AF", "赫拉特": "AF", "坎大哈": "AF", "楠格哈尔": "AF",
    "白沙瓦": "PK", "拉合尔": "PK", "卡拉奇": "PK", "瓜达尔": "PK", "俾路支省": "PK", "奎达": "PK",
    "信德省": "PK", "吉尔吉特": "PK", "拉瓦尔品第": "PK",
    "布什尔": "IR", "纳坦兹": "IR", "马什哈德": "IR", "伊斯法罕": "IR", "大不里士": "IR", "设拉子": "IR",
    "胡齐斯坦": "IR", "锡斯坦": "IR", "阿瓦士": "IR",
    "新西伯利亚": "RU", "叶卡捷琳堡": "RU", "奥伦堡": "RU", "车里雅宾斯克": "RU", "鄂木斯克": "RU",
    "伊尔库茨克": "RU", "布里亚特": "RU", "阿尔泰边疆区": "RU", "图瓦共和国": "RU", "符拉迪沃斯托克": "RU",
    "海参崴": "RU", "哈巴罗夫斯克": "RU", "喀山": "RU", "圣彼得堡": "RU", "阿斯特拉罕": "RU", "伏尔加格勒": "RU",
    "萨拉托夫": "RU", "萨马拉": "RU", "秋明": "RU", "巴尔瑙尔": "RU", "乌兰乌德": "RU", "赤塔": "RU",
}  # fmt: skip
